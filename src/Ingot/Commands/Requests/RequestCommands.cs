using System.CommandLine;
using Ingot.Client;
using Ingot.Commands.Batches;
using Ingot.Commands.Jobs;

namespace Ingot.Commands.Requests;

/// <summary>`ingot request create|list|show|watch|cancel`: provisioning requests (docs/requests.md) — machines asked
/// for by role, site and SKU, installed and replaced by the server.</summary>
internal static class RequestCommands
{
    public static Command Create(CliContext context) => new("request",
        "Provisioning requests: ask for machines of a SKU in a site for a role; the server picks, names, installs and replaces them. create, list, show, watch, cancel.")
    {
        New(context), List(context), Show(context), Watch(context), Cancel(context),
    };

    private static Argument<long> Id(string description) => new("id") { Description = description };

    private static Command New(CliContext context)
    {
        var role = new Option<string?>("--role") { Description = "The role the machines are for; your team must own it (or you operate the site)." };
        var site = new Option<string?>("--site") { Description = "The site to take them in." };
        var sku = new Option<string?>("--sku") { Description = "The hardware configuration (ingot skus list)." };
        var count = new Option<int?>("--count") { Description = "How many machines." };
        var image = new Option<string?>("--image") { Description = "The install image (ingot images list)." };
        var template = new Option<string?>("--hostname-template")
        {
            Description = "Names: {role}, {site}, {domain}, {random} (6 letters and digits), {n} (the machine's number); default {role}-{random}.{site}.{domain}.",
        };
        var stack = new Option<bool>("--no-spread") { Description = "Let machines stack in a rack; by default no rack holds more than its share." };
        var wait = new Option<bool>("--wait") { Description = "Follow the request until it has ended, as 'request watch' does." };
        // Nothing is required here: the server's 422 names every missing or unknown field at once.
        return new Command("create", "Ask for machines (--role, --site, --sku, --count, --image); prints the request after its first allocation (what it took, and what it is short of).")
        {
            role, site, sku, count, image, template, stack, wait,
        }.Set(context, async (s, parse, ct) =>
        {
            var request = await s.Client.CreateRequestAsync(new RequestCreate(parse.GetValue(role), parse.GetValue(site), parse.GetValue(sku),
                parse.GetValue(count), parse.GetValue(image), parse.GetValue(template), parse.GetValue(stack) ? false : null), ct);
            if (parse.GetValue(wait)) return await FollowAsync(s, request, ct);
            await s.Output.WriteAsync(request, RequestTable.Details, ct);
            if (!s.Output.IsJson) await s.Output.NoteAsync($"follow with: ingot request watch {request.Id}", ct);
            return 0;
        });
    }

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = $"Only requests in this status: {BatchCommand.Names<RequestStatus>()}." };
        var role = new Option<string?>("--role") { Description = "Only requests for this role." };
        var user = new Option<string?>("--user") { Description = "Only requests made by this user." };
        var limit = new Option<int?>("--limit") { Description = "At most this many per page." };
        var after = new Option<string?>("--after") { Description = "Continue from the cursor a previous page printed." };
        return new Command("list", "List provisioning requests, newest first.") { status, role, user, limit, after }.Set(context, async (s, parse, ct) =>
        {
            var page = await s.Client.ListRequestsAsync(new RequestQuery(parse.GetValue(status), parse.GetValue(role), parse.GetValue(user),
                parse.GetValue(limit), parse.GetValue(after)), ct);
            await s.Output.WriteAsync(page, p => RequestTable.Rows(p.Items), ct);
            if (!s.Output.IsJson && page.Next is { } next) await s.Output.NoteAsync($"next page: --after {next}", ct);
            return 0;
        });
    }

    private static Command Show(CliContext context)
    {
        var id = Id("The request.");
        return new Command("show", "Show a request and a line per machine it took.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.GetRequestAsync(parse.GetValue(id), ct), RequestTable.Details, ct);
            return 0;
        });
    }

    private static Command Watch(CliContext context)
    {
        var id = Id("The request to follow.");
        return new Command("watch", "Follow a request until it is fulfilled, failed or cancelled, a line whenever it changes; exits 1 unless fulfilled.")
        {
            id,
        }.Set(context, async (s, parse, ct) => await FollowAsync(s, await s.Client.GetRequestAsync(parse.GetValue(id), ct), ct));
    }

    private static Command Cancel(CliContext context)
    {
        var id = Id("The request to cancel.");
        return new Command("cancel", "Cancel a request: its installs stop and every machine it took is recycled (wiped, returned to available).")
        {
            id,
        }.Set(context, async (s, parse, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.CancelRequestAsync(parse.GetValue(id), ct), RequestTable.Details, ct);
            return 0;
        });
    }

    /// <summary>Polls until the request ends, printing its summary line when it changes (not with -o json).</summary>
    private static async Task<int> FollowAsync(Session s, RequestView request, CancellationToken ct)
    {
        string? last = null;
        while (true)
        {
            var line = RequestTable.Summary(request);
            if (!s.Output.IsJson && line != last) await s.Output.LineAsync(line, ct);
            last = line;
            if (RequestTable.Ended(request)) break;
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            request = await s.Client.GetRequestAsync(request.Id, ct);
        }
        if (s.Output.IsJson) await s.Output.JsonAsync(request, ct);
        foreach (var failed in request.Machines.Where(m => m.Status == "failed"))
            await s.Output.NoteAsync($"replaced: {failed.Hostname} ({failed.HardwareName}): {failed.Reason}", ct);
        if (request.Status != RequestStatus.Fulfilled && request.ShortReason is { } why) await s.Output.NoteAsync($"error: request {request.Id} {Output.Cell(request.Status)}: {why}", ct);
        return request.Status == RequestStatus.Fulfilled ? 0 : JobOutcome.Unsuccessful;
    }
}
