using System.CommandLine;
using Ingot.Commands.Activity;
using Ingot.Commands.Audit;
using Ingot.Commands.Batches;
using Ingot.Commands.Boot;
using Ingot.Commands.Images;
using Ingot.Commands.Jobs;
using Ingot.Commands.Login;
using Ingot.Commands.Machines;
using Ingot.Commands.Pools;
using Ingot.Commands.Power;
using Ingot.Commands.Racks;
using Ingot.Commands.Requests;
using Ingot.Commands.Roles;
using Ingot.Commands.Sites;
using Ingot.Commands.Skus;
using Ingot.Commands.Teams;
using Ingot.Commands.Tokens;
using Ingot.Commands.Users;

namespace Ingot.Commands;

/// <summary>Registers the client verbs (each in Commands/&lt;Noun&gt;/).</summary>
public static class ClientCommands
{
    public static IEnumerable<Command> All(CliContext context) =>
    [
        LoginCommand.Create(context),
        WhoAmICommand.Create(context),
        MachinesCommand.Create(context),
        PowerCommand.Create(context),
        RebootCommand.Create(context),
        BootDeviceCommand.Create(context),
        InstallCommand.Install(context),
        InstallCommand.Reimage(context),
        WipeCommand.Wipe(context),
        WipeCommand.Recycle(context),
        WipeCommand.Decommission(context),
        ImagesCommand.Create(context),
        BootCommand.Create(context),
        JobsCommand.Create(context),
        BatchCommand.Create(context),
        RequestCommands.Create(context),
        LeaseCommands.Create(context),
        PoolCommands.Create(context),
        Reclaim.ReclaimCommand.Create(context),
        Cost.CostCommand.Create(context),
        Events.EventsCommand.Create(context),
        Subscriptions.SubscriptionCommands.Create(context),
        Tickets.TicketCommands.Create(context),
        ActivityCommand.Create(context),
        SiteCommands.Create(context),
        RackCommands.Create(context),
        SkuCommands.Create(context),
        TeamCommands.Create(context),
        RoleCommands.Create(context),
        TokenCommands.Create(context),
        UserCommands.Create(context),
        AuditCommand.Create(context),
    ];
}
