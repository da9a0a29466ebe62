namespace Ingot.Commands.Batches;

/// <summary>The hosts of a batch as a file lists them: one a line, so a list from another tool (or a grep of
/// `ingot machines list`) can be fed in as it is.</summary>
internal static class HostList
{
    /// <summary>Each line's host, trimmed; blank lines and everything after a '#' are skipped (no hostname contains one).</summary>
    public static IReadOnlyList<string> Parse(string text) =>
        text.Split('\n')
            .Select(line => (line.IndexOf('#', StringComparison.Ordinal) is var hash and >= 0 ? line[..hash] : line).Trim())
            .Where(host => host.Length > 0)
            .ToList();
}
