using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingot.Commands;

/// <summary>The file `ingot login` writes (JSON <c>{"url": …, "token": …, "ca_certificate": …}</c>), read by every client
/// verb when neither a flag nor an environment variable names the server, the token or the CA to trust.</summary>
internal sealed record CliConfig(string? Url, string? Token, string? CaCertificate = null)
{
    // Lenient on read: a config written by a newer ingot with more fields must still work with this one.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The saved settings, or null when there is no file.</summary>
    public static async Task<CliConfig?> LoadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) return null;
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<CliConfig>(stream, Json, ct)
                ?? throw new UsageException($"The config file {path} is empty; run 'ingot login' again or delete it.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"The config file {path} is not valid JSON ({e.Message}); run 'ingot login' again or delete it.");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UsageException($"Cannot read the config file {path}: {e.Message}");
        }
    }

    /// <summary>Writes the file readable by its owner only. The content goes to a new 0600 file that then
    /// replaces the old one, so the token is never in a file others can read, even when an older config
    /// was created with looser permissions, and a crash never leaves half a file.</summary>
    public async Task SaveAsync(string path, CancellationToken ct)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            await using (var stream = new FileStream(temporary, options))
                await JsonSerializer.SerializeAsync(stream, this, Json, ct);
            // The umask may have narrowed the create mode but never widened it; set it exactly anyway.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
