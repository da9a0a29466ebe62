using Ingot.Bmc;

namespace Ingot.Simulator.Machines;

/// <summary>A machine that network-boots (issue 5): when its BMC powers it on and the next boot is PXE, it
/// asks <c>{server}/boot/ipxe</c> for its script as iPXE would, then acts as the image the script loads
/// (install, wipe, discovery) or boots its disk. It never touches its BMC: power stays the server's to drive.</summary>
public sealed class SimulatedMachine : IDisposable
{
    private readonly Lock gate = new();
    private readonly Uri server;
    private readonly BootHttp http;
    private readonly InstallerImage installer;
    private readonly DiscoveryImage discovery;
    private CancellationTokenSource? running;
    private Task current = Task.CompletedTask;
    private BootOutcome? lastOutcome;
    private bool disposed;

    /// <param name="server">The Ingot server iPXE chains to (the DHCP bootstrap's SERVER).</param>
    /// <param name="http">Shared by a fleet; the machine never disposes it.</param>
    public SimulatedMachine(MachineIdentity identity, SimulatedBmc bmc, Uri server, HttpClient http, BootTimings? timings = null, TimeProvider? clock = null)
    {
        Identity = identity;
        Bmc = bmc;
        this.server = server.AbsolutePath.EndsWith('/') ? server : new Uri(server.GetLeftPart(UriPartial.Path) + "/");
        var time = clock ?? TimeProvider.System;
        var pace = timings ?? BootTimings.Default;
        Log = new MachineLog(identity.Serial, time);
        this.http = new BootHttp(http, pace, time, Log);
        installer = new InstallerImage(this.http, pace, time, Log);
        discovery = new DiscoveryImage(this.http, pace, time, Log);
        bmc.PowerChanged += OnPowerChanged;
    }

    public MachineIdentity Identity { get; }

    /// <summary>The UDP port its BMC answers IPMI on, for the discovery report (null: the standard 623).</summary>
    public int? BmcPort { get; init; }
    public SimulatedBmc Bmc { get; }
    public MachineLog Log { get; }
    public MachineCounters Counters { get; } = new();

    /// <summary>Read at each boot, so a test can change them between boots.</summary>
    public MachineFaults Faults { get; set; } = MachineFaults.None;

    /// <summary>How the last boot that ended ended; null before any.</summary>
    public BootOutcome? LastOutcome { get { lock (gate) return lastOutcome; } }

    /// <summary>Raised when a boot ends, with how (tests wait on it).</summary>
    public event Action<SimulatedMachine, BootOutcome>? BootEnded;

    /// <summary>The boot in progress; completed when none is.</summary>
    public Task CurrentBoot { get { lock (gate) return current; } }

    /// <summary>Runs on the BMC's thread for each real power transition. A cycle arrives as off then on, a reset
    /// as a second on: each ends what the machine was doing, as losing power does.</summary>
    private void OnPowerChanged(SimulatedBmc bmc, PowerState state)
    {
        if (StartBoot(bmc, state) is { } ended) BootEnded?.Invoke(this, ended);
    }

    /// <returns>The outcome when this boot already ended (not from the network), else null.</returns>
    private BootOutcome? StartBoot(SimulatedBmc bmc, PowerState state)
    {
        lock (gate)
        {
            if (disposed) return null;
            running?.Cancel();
            running = null;
            if (state == PowerState.Off)
            {
                Log.Write("power off");
                return null;
            }
            // Taken here, at the instant of the power-on, as firmware does: a boot override set afterwards is for the next boot.
            var next = bmc.TakeNextBoot();
            Counters.Boot(next.Device == BootDevice.Pxe);
            if (next.Device != BootDevice.Pxe)
            {
                Log.Write(next.Device switch
                {
                    BootDevice.Disk => "power on: boots its disk (boot override)",
                    BootDevice.BiosSetup => "power on: enters BIOS setup",
                    _ => "power on: boots its disk (no boot override)",
                });
                End(BootOutcome.NotNetwork);
                return BootOutcome.NotNetwork;
            }
            var cts = new CancellationTokenSource();
            running = cts;
            // Off the BMC's thread: the IPMI answer to "power on" must not wait for an installation.
            current = Task.Run(() => NetworkBootAsync(next, cts), CancellationToken.None);
            return null;
        }
    }

    private async Task NetworkBootAsync(BootSettings next, CancellationTokenSource cts)
    {
        BootOutcome outcome;
        try
        {
            outcome = await BootAsync(next, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Log.Write("boot interrupted");
            outcome = BootOutcome.Interrupted;
        }
        catch (Exception e)
        {
            // A bug in the simulation must show in the log and the outcome, not vanish with an unobserved task.
            Log.Write($"boot crashed: {e.GetType().Name}: {e.Message}");
            outcome = BootOutcome.GaveUp;
        }
        lock (gate)
        {
            if (ReferenceEquals(running, cts)) running = null;
            End(outcome);
        }
        cts.Dispose();
        BootEnded?.Invoke(this, outcome);
    }

    private async Task<BootOutcome> BootAsync(BootSettings next, CancellationToken ct)
    {
        // Many BMCs ignore the IPMI "EFI boot" flag, so a UEFI machine boots UEFI whatever the override says.
        var platform = next.Uefi || Identity.Firmware == Firmware.Efi ? "efi" : "pcbios";
        // What the bootstrap script's chain line fills in from iPXE's variables (docs/boot.md).
        (string Name, string Value)[] query =
            [("mac", Identity.BootMac), ("serial", Identity.Serial), ("uuid", Identity.Uuid.ToString()), ("arch", "x86_64"), ("platform", platform)];
        var url = new Uri(server, "boot/ipxe?" + string.Join('&', query.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}")));
        Log.Write($"power on: PXE boot ({platform})");
        var reply = await http.GetScriptAsync(url, ct);
        if (!reply.Succeeded) return BootOutcome.GaveUp;

        BootScript script;
        try { script = BootScript.Parse(reply.Body); }
        catch (FormatException e)
        {
            Log.Write($"bad script: {e.Message}");
            return BootOutcome.BadScript;
        }
        foreach (var problem in script.Problems) Log.Write($"script problem: {problem}");
        if (script.Mode == BootMode.Local)
        {
            Log.Write($"boots its disk ({script.Intent})");
            return BootOutcome.Local;
        }
        if (script.Token is null || !Uri.TryCreate(script.Server, UriKind.Absolute, out var callback))
        {
            // A real image without these would have nowhere to report: it would hang, so say so instead.
            Log.Write("bad script: the kernel line lacks a usable ingot.server or ingot.token");
            return BootOutcome.BadScript;
        }
        if (!callback.AbsolutePath.EndsWith('/')) callback = new Uri(callback.GetLeftPart(UriPartial.Path) + "/");
        return script.Mode == BootMode.Discover
            ? await discovery.RunAsync(script, callback, Identity, Bmc.Address.ToString(), BmcPort, ct)
            : await installer.RunAsync(script, callback, Faults, ct);
    }

    /// <summary>Records how a boot ended; the caller holds the gate, and raises <see cref="BootEnded"/> after it.</summary>
    private void End(BootOutcome outcome)
    {
        lastOutcome = outcome;
        Counters.Count(outcome);
    }

    /// <summary>Stops listening to the BMC and interrupts a boot in progress.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            Bmc.PowerChanged -= OnPowerChanged;
            running?.Cancel();
            running = null;
        }
    }
}
