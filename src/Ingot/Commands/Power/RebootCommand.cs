using System.CommandLine;
using System.Text.Json;
using Ingot.Client;

namespace Ingot.Commands.Power;

/// <summary>`ingot reboot HOST…`: a graceful shutdown, a hard power off if the OS does not stop in time, then on.</summary>
internal static class RebootCommand
{
    public static Command Create(CliContext context)
    {
        var graceful = new Option<int?>("--graceful-timeout")
        {
            Description = "Seconds to wait for the OS to shut down before powering off hard (0 to 3600). Default: the server's.",
            HelpName = "seconds",
        };
        // The server checks the range too; refusing here saves a request per host that would all fail alike.
        graceful.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0 or > 3600) r.AddError("--graceful-timeout is from 0 to 3600 seconds."); });
        var command = new Command("reboot", "Reboot machines: ask the OS to shut down, power off hard if it has not by the timeout, then power on. " +
                                            HostJobs.Outcome) { graceful };
        var hosts = HostJobs.AddTo(command);
        return command.Set(context, (s, parse, ct) =>
        {
            var parameters = parse.GetValue(graceful) is { } seconds
                ? new Dictionary<string, JsonElement> { ["graceful_timeout_seconds"] = HostJobs.Param(seconds) }
                : null;
            return hosts.RunAsync(s, parse, JobActions.Reboot, parameters, ct);
        });
    }
}
