using System.CommandLine;
using Ingot.Bmc;

namespace Ingot.Commands.Bmc;

/// <summary>`ingot bmc power status|on|off|cycle|reset`. Changes are confirmed (DESIGN.md §6): the state is
/// read first, nothing is sent when the machine is already there, and success means the BMC reported the
/// new state, not merely that it acknowledged the command.</summary>
internal static class PowerCommand
{
    public sealed record PowerView(string Bmc, string Power, string? Action = null, string? Outcome = null);

    public static Command Create(CliContext context) => new("power", "Read or change the machine's power, confirmed.")
    {
        Status(context),
        Change(context, "on", "Power on (nothing is sent if it is on already).", (p, ct) => p.EnsureOnAsync(ct)),
        Change(context, "off", "Power off hard (nothing is sent if it is off already).", (p, ct) => p.EnsureOffAsync(ct)),
        Change(context, "cycle", "Power off, confirmed, then on, confirmed (a machine that is off is just powered on).", (p, ct) => p.CycleAsync(ct)),
        Change(context, "reset", "Hard reset a running machine (one that is off is powered on); confirmed on.", (p, ct) => p.ResetAsync(ct)),
    };

    private static Command Status(CliContext context) =>
        new Command("status", "Print the power state: on or off.").SetBmc(context, async (bmc, output, parse, ct) =>
        {
            var power = await BmcAction.Require<IPowerControl>(bmc, "control power").GetPowerStateAsync(ct);
            await WriteAsync(output, new PowerView(bmc.Target.Name, Name(power)), Name(power), ct);
            return 0;
        });

    private static Command Change(CliContext context, string verb, string description, Func<PowerConfirmation, CancellationToken, Task<PowerOutcome>> act)
    {
        var defaults = new PowerWaitOptions();
        var timeout = new Option<int>("--timeout")
        {
            Description = $"Seconds to wait for the BMC to report the new state. Default {defaults.Deadline.TotalSeconds:0}",
            DefaultValueFactory = _ => (int)defaults.Deadline.TotalSeconds,
            HelpName = "seconds",
        };
        timeout.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--timeout is at least 1 second."); });
        var command = new Command(verb, description) { timeout };
        return command.SetBmc(context, async (bmc, output, parse, ct) =>
        {
            var power = BmcAction.Require<IPowerControl>(bmc, "control power");
            var wait = defaults with { Deadline = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
            var confirmation = new PowerConfirmation(power, bmc.Target.Name, wait, TimeProvider.System);
            var outcome = await act(confirmation, ct);
            var state = verb == "off" ? PowerState.Off : PowerState.On;
            var view = new PowerView(bmc.Target.Name, Name(state), verb, outcome == PowerOutcome.AlreadyThere ? "already" : "confirmed");
            await WriteAsync(output, view, Sentence(verb, outcome), ct);
            return 0;
        });
    }

    private static string Sentence(string verb, PowerOutcome outcome) => (verb, outcome) switch
    {
        (_, PowerOutcome.AlreadyThere) => $"already {verb}",
        ("on" or "off", _) => $"powered {verb} (confirmed)",
        ("cycle", _) => "power cycled (confirmed on)",
        _ => "reset (confirmed on)",
    };

    private static async Task WriteAsync(Output output, PowerView view, string line, CancellationToken ct)
    {
        if (output.IsJson) await output.JsonAsync(view, ct);
        else await output.LineAsync(line, ct);
    }

    private static string Name(PowerState state) => state == PowerState.On ? "on" : "off";
}
