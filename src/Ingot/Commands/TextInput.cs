namespace Ingot.Commands;

/// <summary>Reads what a verb takes from a file, or from stdin when the path is "-" (so secrets and
/// CSVs can be piped in rather than put on the command line).</summary>
internal static class TextInput
{
    public static async Task<string> ReadAsync(CliContext context, string path, string what, CancellationToken ct)
    {
        if (path == "-") return await context.In.ReadToEndAsync(ct);
        try
        {
            return await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"Cannot read the {what} from {path}: {e.Message}");
        }
    }

    /// <summary>A secret kept in a file or piped in: one line, so the newline editors and `echo` add is not part of it.</summary>
    public static async Task<string> ReadSecretAsync(CliContext context, string path, string what, CancellationToken ct)
    {
        var text = (await ReadAsync(context, path, what, ct)).Trim();
        if (text.Length == 0) throw new UsageException($"The {what} from {(path == "-" ? "stdin" : path)} is empty.");
        return text;
    }
}
