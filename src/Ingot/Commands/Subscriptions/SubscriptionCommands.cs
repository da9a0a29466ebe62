using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Subscriptions;

/// <summary>`ingot subscriptions create|list|show|enable|disable|delete|deliveries`: events sent to a webhook, a chat channel or an
/// e-mail address (docs/events.md).</summary>
internal static class SubscriptionCommands
{
    public static Command Create(CliContext context) => new("subscriptions",
        "Send events to a webhook, a chat channel or an e-mail address. create, list, show, enable, disable, delete, deliveries.")
    {
        New(context), List(context), Show(context), Switch(context, enable: true), Switch(context, enable: false), Delete(context), Deliveries(context),
    };

    private static Argument<long> Id() => new("id") { Description = "The subscription." };

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "A name for it." };
        var webhook = new Option<string?>("--webhook") { Description = "POST each event's JSON, signed (Ingot-Signature), to this URL." };
        var chat = new Option<string?>("--chat") { Description = "POST a sentence per event to this Slack-compatible incoming-webhook URL." };
        var email = new Option<string?>("--email") { Description = "Send an e-mail per event to this address." };
        var types = new Option<string?>("--types") { Description = "Event types or patterns, comma-separated (default: your batches accepted and completed, your requests fulfilled or failed)." };
        var team = new Option<string?>("--team") { Description = "Make it your team's: its members manage it too." };
        var mine = new Option<bool>("--mine") { Description = "Only events of your own work." };
        var ofTeam = new Option<string?>("--of-team") { Description = "Only events of this team's machines and requests." };
        var batch = new Option<long?>("--batch") { Description = "Only this batch and its jobs." };
        var machine = new Option<long?>("--machine") { Description = "Only this machine (its id)." };
        return new Command("create", "Subscribe to events; prints the webhook's signing secret once.")
        {
            name, webhook, chat, email, types, team, mine, ofTeam, batch, machine,
        }.Set(context, async (s, parse, ct) =>
        {
            (string Channel, string? Target)[] given = [("webhook", parse.GetValue(webhook)), ("chat", parse.GetValue(chat)), ("email", parse.GetValue(email))];
            var chosen = given.Where(g => g.Target is not null).ToList();
            if (chosen.Count != 1) throw new UsageException("Give one of --webhook URL, --chat URL or --email ADDRESS.");
            var typeList = parse.GetValue(types)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var filtered = parse.GetValue(mine) || parse.GetValue(ofTeam) is not null || parse.GetValue(batch) is not null || parse.GetValue(machine) is not null;
            var created = await s.Client.CreateSubscriptionAsync(new SubscriptionCreate(parse.GetValue(name), chosen[0].Channel, chosen[0].Target, typeList,
                parse.GetValue(team), filtered ? new SubscriptionFilter(parse.GetValue(mine) ? true : null, parse.GetValue(ofTeam), parse.GetValue(batch), parse.GetValue(machine)) : null), ct);
            await s.Output.WriteAsync(created, Details, ct);
            if (created.Secret is not null && !s.Output.IsJson)
                await s.Output.NoteAsync("Keep the secret: it is shown only now. Check each delivery's Ingot-Signature with it (docs/events.md).", ct);
            return 0;
        });
    }

    private static Command List(CliContext context) => new Command("list", "Your subscriptions and your teams'.")
        .Set(context, async (s, parse, ct) =>
        {
            var page = await s.Client.ListSubscriptionsAsync(ct);
            await s.Output.WriteAsync(page.Items, items =>
            {
                var table = Output.Table("ID", "NAME", "CHANNEL", "TARGET", "TYPES", "OWNER", "TEAM", "DELIVERED", "DEAD", "LAST ERROR");
                foreach (var x in items)
                    Output.Row(table, x.Id, x.Name, x.Channel, x.Target, string.Join(',', x.Types), x.Owner, x.Team, x.Delivered, x.Dead, x.LastError);
                return table;
            }, ct);
            return 0;
        });

    private static Command Show(CliContext context)
    {
        var id = Id();
        return new Command("show", "A subscription and how its deliveries go.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.GetSubscriptionAsync(parse.GetValue(id), ct), Details, ct);
            return 0;
        });
    }

    private static Command Switch(CliContext context, bool enable)
    {
        var id = Id();
        return new Command(enable ? "enable" : "disable", enable
            ? "Resume a subscription: it sends what happens from now on."
            : "Pause a subscription (your default one too): nothing is sent until it is enabled, and what happens meanwhile is not sent later.")
        {
            id,
        }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.UpdateSubscriptionAsync(parse.GetValue(id), new SubscriptionUpdate(enable), ct), Details, ct);
            return 0;
        });
    }

    private static Command Delete(CliContext context)
    {
        var id = Id();
        return new Command("delete", "Stop a subscription.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Client.DeleteSubscriptionAsync(parse.GetValue(id), ct);
            await s.Output.NoteAsync($"Subscription {parse.GetValue(id)} deleted.", ct);
            return 0;
        });
    }

    private static Command Deliveries(CliContext context)
    {
        var id = Id();
        var dead = new Option<bool>("--dead") { Description = "Only the dead letters: events given up on after every attempt." };
        return new Command("deliveries", "A subscription's delivery log, newest first.") { id, dead }.Set(context, async (s, parse, ct) =>
        {
            var page = await s.Client.ListDeliveriesAsync(parse.GetValue(id), parse.GetValue(dead) ? "dead" : null, ct: ct);
            await s.Output.WriteAsync(page.Items, items =>
            {
                var table = Output.Table("AT", "EVENT", "ATTEMPT", "OUTCOME", "STATUS", "MS", "ERROR");
                foreach (var d in items) Output.Row(table, d.At, d.EventId, d.Attempt, d.Outcome, d.StatusCode, d.DurationMs, d.Error);
                return table;
            }, ct);
            return 0;
        });
    }

    private static IRenderable Details(SubscriptionView x) => Output.Details(
        ("id", x.Id), ("name", x.Name), ("channel", x.Channel), ("target", x.Target), ("types", string.Join(',', x.Types)),
        ("only mine", x.Filter.Mine == true ? "yes" : null), ("only team", x.Filter.Team), ("only batch", x.Filter.Batch), ("only machine", x.Filter.Machine),
        ("owner", x.Owner), ("team", x.Team), ("enabled", x.Enabled ? "yes" : "no (paused)"), ("default", x.IsDefault ? "yes" : null), ("delivered", x.Delivered), ("dead", x.Dead), ("attempts", x.Attempts), ("retry at", x.RetryAt),
        ("last error", x.LastError), ("last delivered", x.LastDeliveredAt), ("created", x.CreatedAt), ("secret", x.Secret));
}
