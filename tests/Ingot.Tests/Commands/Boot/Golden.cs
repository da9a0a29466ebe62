using System.Runtime.CompilerServices;

namespace Ingot.Tests.Commands.Boot;

/// <summary>Compares text with a file under Testdata/. With INGOT_UPDATE_GOLDEN=1 it rewrites the file in
/// the source tree and still fails, so a golden changes only when someone reruns and reviews the diff.</summary>
internal static class Golden
{
    public const string UpdateVariable = "INGOT_UPDATE_GOLDEN";

    public static void Assert(string relativePath, string actual, [CallerFilePath] string caller = "")
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            var source = Path.Combine(ProjectDirectory(caller), "Testdata", relativePath);
            File.WriteAllText(source, actual);
            throw new Xunit.Sdk.XunitException($"{UpdateVariable}=1: rewrote {source}; review the diff, then run again without it.");
        }
        var path = Path.Combine(AppContext.BaseDirectory, "Testdata", relativePath);
        Xunit.Assert.True(File.Exists(path), $"no golden file {path}; create it with {UpdateVariable}=1");
        // A checkout with CRLF line endings must not fail a test about the text's content.
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        Xunit.Assert.Equal(expected, actual);
    }

    /// <summary>tests/Ingot.Tests, found upwards from the calling test's source file.</summary>
    private static string ProjectDirectory(string caller)
    {
        for (var dir = Path.GetDirectoryName(caller); dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "Ingot.Tests.csproj"))) return dir;
        throw new InvalidOperationException($"no Ingot.Tests.csproj above {caller}");
    }
}
