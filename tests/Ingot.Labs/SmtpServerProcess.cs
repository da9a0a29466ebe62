using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ingot.Labs;

/// <summary>A real SMTP server: Debian's aiosmtpd (python3-aiosmtpd) on a free 127.0.0.1 port, keeping every message it
/// accepts in a Maildir. Callers read the raw messages (<see cref="Messages"/>) and parse them as they like. A missing
/// package is an error, not a skip: the test script installs it.</summary>
public sealed class SmtpServerProcess : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    private readonly Process process;
    private readonly string root;

    private SmtpServerProcess(Process process, string root, int port)
    {
        this.process = process;
        this.root = root;
        Port = port;
    }

    public int Port { get; }

    public string Host => "127.0.0.1";

    /// <summary>The Maildir's new messages, oldest first, as raw RFC 5322 bytes.</summary>
    public IReadOnlyList<byte[]> Messages =>
        [.. new DirectoryInfo(Path.Combine(root, "mail", "new")).EnumerateFiles().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name).Select(f => File.ReadAllBytes(f.FullName))];

    public static async Task<SmtpServerProcess> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("ingot-smtp-").FullName;
        var port = LabProcesses.FreePort();
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(root, "mail") },
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start aiosmtpd");
        var server = new SmtpServerProcess(process, root, port);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"aiosmtpd exited ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()} — install the Debian package python3-aiosmtpd");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }


    public async ValueTask DisposeAsync()
    {
        await LabProcesses.StopAsync(process, root);
    }
}
