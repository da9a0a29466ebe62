using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Requests;

/// <summary>How requests look: a row each in listings; every field and a row per machine in `show`; the one line
/// `watch` prints.</summary>
internal static class RequestTable
{
    public static Table Rows(IEnumerable<RequestView> requests)
    {
        var table = Output.Table("ID", "ROLE", "SITE", "SKU", "COUNT", "IN USE", "INSTALLING", "SHORT", "STATUS", "USER", "CREATED");
        foreach (var r in requests)
            Output.Row(table, r.Id, r.Role, r.Site, r.Sku, r.Count, r.InUse, r.Installing, r.ShortBy, r.Status, r.User, r.CreatedAt);
        return table;
    }

    public static IRenderable Details(RequestView r)
    {
        return new Rows(
            Output.Details(("id", r.Id), ("role", $"{r.Role} (team {r.Team})"), ("site", r.Site), ("sku", r.Sku), ("count", r.Count), ("image", r.Image),
                ("hostnames", r.HostnameTemplate), ("spread", r.Spread), ("status", r.Status), ("in use", r.InUse), ("installing", r.Installing),
                ("short by", r.ShortBy), ("why short", r.ShortReason), ("replacements", r.Replacements), ("user", r.User),
                ("cancelled by", r.CancelledBy), ("created", r.CreatedAt), ("updated", r.UpdatedAt)),
            new Text(""),
            Lines(r.Machines));
    }

    /// <summary>A row per machine a request or pool took (pools show theirs the same way).</summary>
    public static Table Lines(IEnumerable<RequestMachineView> machines)
    {
        var table = Output.Table("HOSTNAME", "MACHINE", "RACK", "STATUS", "JOB", "REASON");
        foreach (var m in machines) Output.Row(table, m.Hostname, m.HardwareName, m.Rack, m.Status, m.JobId, m.Reason);
        return table;
    }

    /// <summary>"request 7 installing: 3/10 in use, 7 installing, short by 0".</summary>
    public static string Summary(RequestView r) =>
        $"request {r.Id} {Output.Cell(r.Status)}: {r.InUse}/{r.Count} in use, {r.Installing} installing, {r.Replacements} replaced" +
        (r.ShortBy > 0 ? $", {r.ShortReason ?? $"short by {r.ShortBy}"}" : "");

    /// <summary>Final: a request short of capacity is not, since it takes machines as they come (Ctrl-C stops watching).</summary>
    public static bool Ended(RequestView r) => r.Status is RequestStatus.Fulfilled or RequestStatus.Failed or RequestStatus.Cancelled;
}
