using System.Net;
using Ingot.Client;
using Ingot.Server.Boot;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;
using Microsoft.Playwright;

namespace Ingot.Portal.Tests;

/// <summary>A real server with workers and the simulator's network-booting machines (127.0.77.x), two teams with a role
/// and machines each, a member of one of them, and Debian's Chromium driven by Playwright.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public TestServer Server { get; private set; } = null!;
    public SimulatedFleet Fleet { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Team web's member (not an admin), and the machines of web and of db, in_use.</summary>
    public string MemberToken { get; private set; } = "";
    public List<MachineView> WebMachines { get; } = [];
    public List<MachineView> DbMachines { get; } = [];
    /// <summary>Team ops's machines, for the batch test alone.</summary>
    public List<MachineView> OpsMachines { get; } = [];
    private int next = -1;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: the browser tests need Debian's chromium (test.sh installs it: apt-get install chromium).");
        Server = await TestServer.StartAsync(jobs: BrokerFixture.FastJobs with { MaxAttempts = 3 }, ipmi: BrokerFixture.FastIpmi,
            discovery: new DiscoveryCredentials("admin", "password", [IPNetwork.Parse("127.0.77.0/24")]));
        Fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = Server.Url, Count = 13, SerialPrefix = $"PT{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}-",
            Bmcs = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.0.77.1"), IpmiPort = 0, PortPerBmc = true },
            Timings = BootTimings.Default with { Install = TimeSpan.FromSeconds(2), Wipe = TimeSpan.FromMilliseconds(500), Discover = TimeSpan.FromMilliseconds(100) },
        });
        var admin = Server.Admin;
        foreach (var (kind, name) in new[] { (ImageKind.Install, "debian-12"), (ImageKind.Wipe, "wipe"), (ImageKind.Discovery, "discovery") })
            await admin.CreateImageAsync(new ImageCreate(name, kind, $"http://images.invalid/{name}/vmlinuz", $"http://images.invalid/{name}/initrd", DeadlineSeconds: 120));
        foreach (var team in new[] { "web", "db", "ops" })
        {
            await admin.CreateTeamAsync(new TeamCreate(team));
            await admin.CreateRoleAsync(new RoleCreate($"{team}-role", team));
        }
        await admin.CreateUserAsync(new UserCreate("alice", Teams: ["web"]));
        MemberToken = (await admin.CreateTokenAsync(new TokenCreate("portal", "alice"))).Token;
        for (var i = 0; i < 3; i++) WebMachines.Add(await InUseAsync("web-role", $"web-{i}.portal.test"));
        for (var i = 0; i < 2; i++) DbMachines.Add(await InUseAsync("db-role", $"db-{i}.portal.test"));
        for (var i = 0; i < 3; i++) OpsMachines.Add(await InUseAsync("ops-role", $"ops-{i}.portal.test"));
        // Capacity for a request: three available machines of one SKU in one rack, the first (lowest id, so taken first)
        // failing every install.
        await admin.CreateSiteAsync(new SiteCreate(RequestSite));
        await admin.CreateRackAsync(new RackCreate(RequestSite, "r1"));
        await admin.CreateSkuAsync(new SkuCreate(RequestSku, 16, 64, 1, 480, 2));
        FailingMachine = await AvailableAsync(RequestSku, new MachineFaults { InstallerFails = true, FailureMessage = "disk sda not found" });
        for (var i = 0; i < 2; i++) await AvailableAsync(RequestSku, null);
        // And two of another SKU, for the pool test alone.
        await admin.CreateSkuAsync(new SkuCreate(PoolSku, 16, 64, 1, 480, 2));
        for (var i = 0; i < 2; i++) await AvailableAsync(PoolSku, null);

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public const string RequestSite = "lon1", RequestSku = "std", PoolSku = "pooled";

    /// <summary>The available machine whose installs fail: a request that takes it gets a replacement.</summary>
    public MachineView FailingMachine { get; private set; } = null!;

    private async Task<MachineView> AvailableAsync(string sku, MachineFaults? faults)
    {
        var index = Interlocked.Increment(ref next);
        var machine = Fleet.Machines[index];
        if (faults is not null) machine.Faults = faults;
        var ep = Fleet.IpmiEndpoints[index];
        var view = await Server.Admin.CreateMachineAsync(new MachineCreate(machine.Identity.Serial, Site: RequestSite, Rack: "r1", Sku: sku,
            Nics: [.. machine.Identity.Macs.Select((m, i) => new NicInput(m, $"eth{i}"))],
            Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, "admin", "password")));
        return await Server.Admin.TransitionAsync(view.HardwareName, "commission");
    }

    /// <summary>A simulated machine registered and taken to in_use by hand, with a role and hostname.</summary>
    private async Task<MachineView> InUseAsync(string role, string hostname)
    {
        var index = Interlocked.Increment(ref next);
        var machine = Fleet.Machines[index];
        var ep = Fleet.IpmiEndpoints[index];
        var view = await Server.Admin.CreateMachineAsync(new MachineCreate(machine.Identity.Serial, Site: null, Hostname: hostname, Role: role,
            Nics: [.. machine.Identity.Macs.Select((m, i) => new NicInput(m, $"eth{i}"))],
            Bmc: new BmcInput("sim", ep.Address.ToString(), ep.Port, "admin", "password")));
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            view = await Server.Admin.TransitionAsync(view.HardwareName, trigger);
        return view;
    }

    /// <summary>A fresh browser context (its own cookies) signed in with <paramref name="token"/>.</summary>
    public async Task<IPage> SignedInAsync(string token)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.Url.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/machines");
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/machines");
        return page;
    }

    /// <summary>With INGOT_SCREENSHOTS set to a folder, saves the page there as NAME.png (the README's and docs/'s
    /// screenshots are made so: see docs/screenshots/README.md); otherwise does nothing.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("INGOT_SCREENSHOTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        await page.SetViewportSizeAsync(1280, 900);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        if (Fleet is not null) await Fleet.DisposeAsync();
    }
}
