namespace Ingot.Bmc.Ipmi;

/// <summary>Rejects replayed or very old session sequence numbers on replies (IPMI 2.0 §6.12.13): a number is
/// accepted once, if it is newer than the newest seen or within the 32 before it.</summary>
internal sealed class ReplayWindow
{
    private const int Size = 32;
    private uint highest;
    private uint seen; // bit i: highest - i was accepted

    public bool Accept(uint sequence)
    {
        if (highest == 0 || sequence > highest)
        {
            var shift = highest == 0 ? Size : sequence - highest;
            seen = shift >= Size ? 1u : (seen << (int)shift) | 1u;
            highest = sequence;
            return true;
        }
        var age = highest - sequence;
        if (age >= Size || (seen & (1u << (int)age)) != 0) return false;
        seen |= 1u << (int)age;
        return true;
    }
}
