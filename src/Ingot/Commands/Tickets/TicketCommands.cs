using System.CommandLine;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Tickets;

/// <summary>`ingot tickets list|show|ack|resolve|comment`: triage tickets (docs/tickets.md), opened by the server when a
/// user's job fails for good or a batch's precheck leaves a host out.</summary>
internal static class TicketCommands
{
    public static Command Create(CliContext context) => new("tickets",
        "Triage tickets: a machine's failed work with its evidence, routed to the team that fixes the site's hardware. list, show, ack, resolve, comment.")
    {
        List(context), Show(context), Move(context, "ack", "Acknowledge a ticket: someone is on it.", resolve: false),
        Move(context, "resolve", "Resolve a ticket; the machine's next failure opens a new one.", resolve: true), Comment(context),
    };

    private static Argument<long> Id() => new("id") { Description = "The ticket." };

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "open, acknowledged or resolved." };
        var team = new Option<string?>("--team") { Description = "Only tickets routed to this team." };
        var machine = new Option<string?>("--machine") { Description = "Only this machine's tickets." };
        return new Command("list", "Tickets, newest first.") { status, team, machine }.Set(context, async (s, parse, ct) =>
        {
            var page = await s.Client.ListTicketsAsync(new TicketQuery(parse.GetValue(status), parse.GetValue(team), parse.GetValue(machine)), ct);
            await s.Output.WriteAsync(page.Items, items =>
            {
                var table = Output.Table("ID", "STATUS", "MACHINE", "SITE", "TEAM", "SEEN", "OPENED", "TITLE");
                foreach (var t in items) Output.Row(table, t.Id, t.Status, t.Machine, t.Site, t.Team, t.Occurrences, t.OpenedAt, t.Title);
                return table;
            }, ct);
            return 0;
        });
    }

    private static Command Show(CliContext context)
    {
        var id = Id();
        return new Command("show", "A ticket with its evidence and comments.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.GetTicketAsync(parse.GetValue(id), ct), Details, ct);
            return 0;
        });
    }

    private static Command Move(CliContext context, string name, string description, bool resolve)
    {
        var id = Id();
        return new Command(name, description) { id }.Set(context, async (s, parse, ct) =>
        {
            var ticket = resolve ? await s.Client.ResolveTicketAsync(parse.GetValue(id), ct) : await s.Client.AcknowledgeTicketAsync(parse.GetValue(id), ct);
            await s.Output.WriteAsync(ticket, Details, ct);
            return 0;
        });
    }

    private static Command Comment(CliContext context)
    {
        var id = Id();
        var text = new Argument<string>("text") { Description = "What to say." };
        return new Command("comment", "Add a comment to a ticket.") { id, text }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.CommentTicketAsync(parse.GetValue(id), parse.GetValue(text)!, ct), Details, ct);
            return 0;
        });
    }

    private static IRenderable Details(TicketView t)
    {
        var parts = new List<IRenderable>
        {
            Output.Details(("id", t.Id), ("status", t.Status), ("title", t.Title), ("machine", t.Machine), ("site", t.Site), ("team", t.Team),
                ("source", t.Source), ("job", t.JobId), ("batch", t.BatchId), ("watchers", string.Join(", ", t.Watchers)), ("occurrences", t.Occurrences),
                ("opened", t.OpenedAt), ("updated", t.UpdatedAt), ("acknowledged by", t.AcknowledgedBy), ("resolved by", t.ResolvedBy)),
        };
        if (t.Evidence is { } e)
        {
            if (e.Precheck is not null) parts.Add(new Text($"\nPrecheck: {e.Precheck}"));
            if (e.Job is { } job)
            {
                parts.Add(new Text($"\nJob {job.Id} ({job.Action}), attempt {job.Attempt}/{job.MaxAttempts}: {job.Error}"));
                var steps = Output.Table("STEP", "STATUS", "ATTEMPT", "STARTED", "ENDED", "MESSAGE");
                foreach (var st in job.Steps) Output.Row(steps, st.Name, st.Status, st.Attempt, st.StartedAt, st.EndedAt, st.Message);
                parts.Add(steps);
            }
            if (e.InstallerEvents.Count > 0)
            {
                var events = Output.Table("AT", "EVENT", "STEP", "MESSAGE", "LOG");
                foreach (var ev in e.InstallerEvents) Output.Row(events, ev.At, ev.Event, ev.Step, ev.Message, ev.Log);
                parts.Add(new Text("\nInstaller events:"));
                parts.Add(events);
            }
            if (e.BmcHealth.Count > 0)
            {
                var bmc = Output.Table("AT", "BMC", "ERROR");
                foreach (var b in e.BmcHealth) Output.Row(bmc, b.At, b.Status, b.Error);
                parts.Add(new Text("\nBMC health:"));
                parts.Add(bmc);
            }
            if (e.History.Count > 0)
            {
                var history = Output.Table("AT", "FROM", "TO", "TRIGGER", "ACTOR", "REASON");
                foreach (var h in e.History) Output.Row(history, h.At, h.From, h.To, h.Trigger, h.Actor, h.Reason);
                parts.Add(new Text("\nHistory:"));
                parts.Add(history);
            }
        }
        if (t.Comments is { Count: > 0 } comments)
        {
            var table = Output.Table("AT", "WHO", "COMMENT");
            foreach (var c in comments) Output.Row(table, c.At, c.User, c.Body);
            parts.Add(new Text("\nComments:"));
            parts.Add(table);
        }
        return new Rows(parts);
    }
}
