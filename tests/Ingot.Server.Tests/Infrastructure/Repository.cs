namespace Ingot.Server.Tests.Infrastructure;

/// <summary>The checked-out repository the tests run from, for tests of its committed files (the OpenAPI contract,
/// the README).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ingot.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Ingot.slnx above {AppContext.BaseDirectory}");
    }
}
