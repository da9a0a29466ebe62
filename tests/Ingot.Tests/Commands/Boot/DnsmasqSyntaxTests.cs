using System.Diagnostics;
using Ingot.Commands.Boot;

namespace Ingot.Tests.Commands.Boot;

/// <summary>The real dnsmasq (Debian's dnsmasq-base, which test.sh installs) parses what we render. A
/// missing dnsmasq fails: a skipped check would let a broken file through unnoticed.</summary>
public sealed class DnsmasqSyntaxTests
{
    [Fact]
    public async Task Dnsmasq_accepts_a_rendered_configuration()
    {
        var settings = new DnsmasqSettings("lon1", new Uri("https://ingot.example.net/ingot/"), "/var/lib/tftpboot");
        var (exit, output) = await TestAsync(DnsmasqConfig.Render(DnsmasqConfigTests.SmallInventory, settings));
        Assert.True(exit == 0 && output.Contains("syntax check OK"), $"dnsmasq --test exited {exit}:\n{output}");
    }

    [Fact]
    public async Task Dnsmasq_refuses_a_broken_one_so_the_check_has_teeth()
    {
        // The renderer trusts the inventory's MACs; one it would never get shows the check is real.
        var settings = new DnsmasqSettings("lon1", new Uri("http://ingot.example.net/"));
        var (exit, output) = await TestAsync(DnsmasqConfig.Render([new BootHost("zz:54:00:00:00:01", null, "web01")], settings));
        Assert.True(exit != 0 && !output.Contains("syntax check OK"), $"dnsmasq --test exited {exit}:\n{output}");
    }

    /// <summary>Runs `dnsmasq --test --conf-file=FILE`: parses only, binds no port and needs no root.
    /// --conf-file replaces /etc/dnsmasq.conf, so the host's own configuration plays no part.</summary>
    internal static async Task<(int Exit, string Output)> TestAsync(string config)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("ingot-dnsmasq-").FullName, "ingot.conf");
        await File.WriteAllTextAsync(file, config);
        try
        {
            var start = new ProcessStartInfo(Dnsmasq(), ["--test", $"--conf-file={file}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    /// <summary>dnsmasq lives in /usr/sbin, which a non-root PATH often lacks.</summary>
    private static string Dnsmasq()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/local/sbin"]);
        return dirs.Select(d => Path.Combine(d, "dnsmasq")).FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException("dnsmasq is not installed: apt-get install dnsmasq-base (test.sh does).");
    }
}
