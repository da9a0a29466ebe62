using System.Security.Cryptography;
using System.Text;

namespace Ingot.Server.Hosting;

/// <summary>Where the portal's private API socket lives: <c>DATA/portal.sock</c>, or, when that path is longer than a
/// Unix socket address may be (108 bytes), a name in the temporary directory derived from it. Owner-only once bound: the
/// socket is for this process's portal, and any other local user reaches the API through its public address.</summary>
internal static class PortalSocket
{
    private const int MaxPath = 100;

    public static string PathFor(string dataDirectory)
    {
        var inData = Path.Combine(Path.GetFullPath(dataDirectory), "portal.sock");
        if (Encoding.UTF8.GetByteCount(inData) <= MaxPath) return inData;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inData)))[..16];
        return Path.Combine(Path.GetTempPath(), $"ingot-portal-{hash}.sock");
    }

    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path)) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
