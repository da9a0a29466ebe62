namespace Ingot.Simulator.Machines;

/// <summary>What the discovery image does: reads the hardware, then posts it to
/// <c>ingot.server</c>/boot/discovery with its boot token as the bearer token (docs/boot.md).</summary>
internal sealed class DiscoveryImage(BootHttp http, BootTimings timings, TimeProvider clock, MachineLog log)
{
    public async Task<BootOutcome> RunAsync(BootScript script, Uri server, MachineIdentity identity, string? bmcAddress, int? bmcPort, CancellationToken ct)
    {
        log.Write("discovery image running: reading the hardware");
        await Task.Delay(timings.Discover, clock, ct);
        var report = identity.Report(bmcAddress, bmcPort);
        var reply = await http.PostAsync(new Uri(server, "boot/discovery"), script.Token!, report, $"report (serial {identity.Serial})", ct);
        if (!reply.Succeeded) return BootOutcome.GaveUp;
        // The image has nothing more to do; the server decides what the machine boots next (commissioning).
        log.Write("discovery reported; waiting for the server to power-cycle it");
        return BootOutcome.Discovered;
    }
}
