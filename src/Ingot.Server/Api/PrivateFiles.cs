namespace Ingot.Server.Api;

/// <summary>Files only this user may read: the admin's bootstrap token and the secret key.</summary>
public static class PrivateFiles
{
    /// <summary>Creates the file with mode 0600 before writing, so the secret is never readable by others.</summary>
    public static async Task WriteAsync(string path, string content, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), ct);
    }
}
