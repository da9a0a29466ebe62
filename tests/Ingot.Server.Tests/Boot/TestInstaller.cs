using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Simulator;

namespace Ingot.Server.Tests.Boot;

/// <summary>Plays the machine's side of a network install, over real HTTP: when its simulated BMC powers it on with
/// PXE as the next boot, it asks /boot/ipxe with its MAC, reads the token from the kernel line and posts the events
/// its script says it should, or failures as the test orders.</summary>
public sealed partial class TestInstaller
{
    private readonly HttpClient http;
    private readonly string mac;
    private int boots;

    public TestInstaller(Uri server, SimulatedBmc bmc, string mac, Func<int, string?>? failOnBoot = null) : this(server, mac, failOnBoot)
    {
        bmc.PowerChanged += (b, state) =>
        {
            var next = state == PowerState.On ? b.TakeNextBoot() : null;
            if (next is not { Device: BootDevice.Pxe }) return;
            NetworkBoots.Add(next);
            Runs.Add(Task.Run(BootAsync));
        };
    }

    /// <summary>An installer that boots only when the test says so (<see cref="BootAsync"/>): for a BMC that cannot
    /// boot a machine, such as OpenIPMI's ipmi_sim.</summary>
    public TestInstaller(Uri server, string mac, Func<int, string?>? failOnBoot = null)
    {
        http = new HttpClient { BaseAddress = server };
        this.mac = mac;
        FailOnBoot = failOnBoot ?? (_ => null);
    }

    /// <summary>For boot n (1, 2, …), the failure message to post instead of 'finished', or null to succeed.</summary>
    public Func<int, string?> FailOnBoot { get; }

    /// <summary>For boot n (1, 2, …), whether the installer hangs after 'started' and one progress: it never finishes.</summary>
    public Func<int, bool> HangsOnBoot { get; init; } = _ => false;

    /// <summary>What iPXE reports as its firmware platform: efi or pcbios.</summary>
    public string Platform { get; init; } = "efi";

    /// <summary>The boot settings the BMC held at each network boot (the override the job set).</summary>
    public List<BootSettings> NetworkBoots { get; } = [];

    public List<Task> Runs { get; } = [];
    public List<string> Scripts { get; } = [];
    public List<string> Tokens { get; } = [];

    /// <summary>One network boot: fetch the script as iPXE would, then post what an installer posts.</summary>
    public async Task BootAsync()
    {
        var boot = Interlocked.Increment(ref boots);
        var (script, token) = await FetchAsync(Platform);
        Scripts.Add(script);
        if (token is null) return; // booted the local disk
        Tokens.Add(token);
        await PostAsync(token, new BootEvent("started"));
        await PostAsync(token, new BootEvent("progress", "partitioning", 40));
        if (HangsOnBoot(boot)) return;
        var failure = FailOnBoot(boot);
        await PostAsync(token, failure is null ? new BootEvent("finished") : new BootEvent("failed", Message: failure, Log: "mkfs: no disk /dev/sda"));
    }

    /// <summary>GET /boot/ipxe for this MAC, as iPXE (or anyone who knows the MAC) asks: the script, and the boot token
    /// its kernel line carries (null for a script that boots the disk).</summary>
    public async Task<(string Script, string? Token)> FetchAsync(string platform = "efi")
    {
        var script = await http.GetStringAsync($"boot/ipxe?mac={mac}&platform={platform}");
        return (script, TokenPattern().Match(script) is { Success: true } m ? m.Groups[1].Value : null);
    }

    public async Task<HttpResponseMessage> PostAsync(string token, BootEvent e)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "boot/events") { Content = JsonContent.Create(e, options: IngotJson.Options) };
        request.Headers.Authorization = new("Bearer", token);
        return await http.SendAsync(request);
    }

    [GeneratedRegex(@"ingot\.token=(\S+)")]
    private static partial Regex TokenPattern();
}
