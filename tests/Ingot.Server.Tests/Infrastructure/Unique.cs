namespace Ingot.Server.Tests.Infrastructure;

/// <summary>Names that no other test in the run uses, so tests sharing a server stay independent.</summary>
public static class Unique
{
    private static int counter;

    public static string Name(string prefix) => $"{prefix}-{Interlocked.Increment(ref counter)}-{Guid.NewGuid().ToString("N")[..6]}";

    public static string Serial() => "SN" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    public static string Mac()
    {
        var bytes = Guid.NewGuid().ToByteArray();
        bytes[0] = (byte)((bytes[0] & 0xfe) | 0x02); // locally administered, unicast
        return string.Join(':', bytes.Take(6).Select(b => b.ToString("x2")));
    }
}
