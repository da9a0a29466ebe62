using Ingot.Client;

namespace Ingot.Simulator.Machines;

/// <summary>What an install or wipe image does once iPXE booted it: reports 'started', its steps as
/// progress, then 'finished' or 'failed' to <c>ingot.server</c>/boot/events with <c>ingot.token</c>
/// (docs/boot.md), and reboots to its disk. The machine's faults make it fail or hang.</summary>
internal sealed class InstallerImage(BootHttp http, BootTimings timings, TimeProvider clock, MachineLog log)
{
    public async Task<BootOutcome> RunAsync(BootScript script, Uri server, MachineFaults faults, CancellationToken ct)
    {
        var wipe = script.Mode == BootMode.Wipe;
        var (steps, duration) = wipe ? (timings.WipeSteps, timings.Wipe) : (timings.InstallSteps, timings.Install);
        var events = new Uri(server, "boot/events");
        var token = script.Token!;
        log.Write($"{(wipe ? "wipe image" : "installer")} running ({script.Intent})");

        if (!await PostAsync(events, token, new BootEvent("started"), ct)) return BootOutcome.GaveUp;
        if (faults.InstallerHangs)
        {
            log.Write("installer hangs (fault): nothing more will be posted");
            return BootOutcome.Hung;
        }
        // The steps share the duration with the end, so 'finished' comes exactly one duration after 'started'.
        var pause = duration / (steps.Count + 1);
        // A failing installer gets half way, as a real one that finds no disk after partitioning would.
        var reached = faults.InstallerFails ? (steps.Count + 1) / 2 : steps.Count;
        for (var i = 0; i < reached; i++)
        {
            await Task.Delay(pause, clock, ct);
            var percent = (i + 1) * 100 / (steps.Count + 1);
            if (!await PostAsync(events, token, new BootEvent("progress", steps[i], percent), ct)) return BootOutcome.GaveUp;
        }
        await Task.Delay(pause, clock, ct);
        if (faults.InstallerFails)
        {
            var tail = $"{steps.ElementAtOrDefault(reached) ?? "finishing"}: {faults.FailureMessage}";
            if (!await PostAsync(events, token, new BootEvent("failed", Message: faults.FailureMessage, Log: tail), ct)) return BootOutcome.GaveUp;
            log.Write($"{(wipe ? "wipe" : "install")} failed (fault): {faults.FailureMessage}");
            return wipe ? BootOutcome.WipeFailed : BootOutcome.InstallFailed;
        }
        if (!await PostAsync(events, token, new BootEvent("finished"), ct)) return BootOutcome.GaveUp;
        // The image reboots by itself, as a real installer does; the BMC sees no power change.
        log.Write($"{(wipe ? "wipe" : "install")} finished; reboots to disk");
        return wipe ? BootOutcome.Wiped : BootOutcome.Installed;
    }

    private async Task<bool> PostAsync(Uri events, string token, BootEvent body, CancellationToken ct)
    {
        var what = body.Step is null ? body.Event! : $"{body.Event} {body.Step} {body.Percent}%";
        return (await http.PostAsync(events, token, body, what, ct)).Succeeded;
    }
}
