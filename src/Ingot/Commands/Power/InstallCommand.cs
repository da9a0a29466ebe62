using System.CommandLine;
using System.Text.Json;
using Ingot.Client;

namespace Ingot.Commands.Power;

/// <summary>`ingot install|reimage HOST… --image NAME`: network-boot an install image onto machines, as jobs that
/// wait for the installer to report it has finished (DESIGN.md §5).</summary>
internal static class InstallCommand
{
    public static Command Install(CliContext context) => Create(context, "install", JobActions.Install,
        "Install an OS image on allocated machines: boot it over the network, wait for the installer to finish " +
        "(the image's deadline), boot from disk; the machines are then in_use.");

    public static Command Reimage(CliContext context) => Create(context, "reimage", JobActions.Reimage,
        "Reinstall in_use machines with an OS image (the disks are overwritten): boot it over the network, wait for the " +
        "installer to finish (the image's deadline), boot from disk.");

    private static Command Create(CliContext context, string name, string action, string description)
    {
        // Not Required in the parser: its error exits 1, like a server refusal; a missing --image is a usage
        // mistake (exit 2), refused below before any request.
        var image = new Option<string?>("--image")
        {
            Description = "Required: the install image to boot ('ingot images list').",
            HelpName = "name",
        };
        var command = new Command(name, $"{description} {HostJobs.Outcome}") { image };
        // An install allocates: it may name the machine and give it a role (one host per command then, as names are unique).
        var hostname = new Option<string?>("--hostname") { Description = "install only: the hostname the machine takes.", HelpName = "name" };
        var role = new Option<string?>("--role") { Description = "install only: the role the machine takes.", HelpName = "role" };
        if (action == JobActions.Install)
        {
            command.Options.Add(hostname);
            command.Options.Add(role);
        }
        var hosts = HostJobs.AddTo(command, erases: action == JobActions.Reimage);
        return command.Set(context, (s, parse, ct) =>
        {
            if (string.IsNullOrWhiteSpace(parse.GetValue(image)))
                throw new UsageException("--image is required: the install image to boot ('ingot images list' shows them).");
            // Whether the image exists and is an install image is the server's check (a 422 per host).
            var parameters = new Dictionary<string, JsonElement> { ["image"] = HostJobs.Param(parse.GetValue(image)!.Trim()) };
            if (action == JobActions.Install && parse.GetValue(hostname) is { Length: > 0 } h) parameters["hostname"] = HostJobs.Param(h.Trim());
            if (action == JobActions.Install && parse.GetValue(role) is { Length: > 0 } r) parameters["role"] = HostJobs.Param(r.Trim());
            return hosts.RunAsync(s, parse, action, parameters, ct);
        });
    }
}
