namespace Ingot.Server.Api;

/// <summary>Files only this user may read: the data directory, the database, the admin's bootstrap token and the secret
/// key. The database holds the inventory, token hashes and encrypted BMC passwords; no other local user reads them.</summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the directory (and its parents) as 0700, and makes an existing one 0700: it is Ingot's own.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(path); return; }
        Directory.CreateDirectory(path, OwnerOnly | UnixFileMode.UserExecute);
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.UserExecute);
    }

    /// <summary>Makes the file 0600, creating it empty if it is missing (SQLite creates its -wal and -shm files with the
    /// database file's mode, so a private database file keeps them private too).</summary>
    public static void Restrict(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        if (!File.Exists(path)) new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }).Dispose();
        File.SetUnixFileMode(path, OwnerOnly);
        foreach (var sidecar in new[] { path + "-wal", path + "-shm" })
            if (File.Exists(sidecar)) File.SetUnixFileMode(sidecar, OwnerOnly);
    }

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
