using System.Text.Json;
using Ingot.Client;

namespace Ingot.Commands.Batches;

/// <summary>The hosts a refused batch names in its problem's <c>hosts</c> extension (422: each bad host and why;
/// 409: each host another active batch holds, and that batch), one line each. A batch of thousands is refused
/// for a few hosts: the reader needs exactly those, to fix the list or wait.</summary>
internal static class HostRefusals
{
    // The fields that name the host in an entry; the rest (reason, batch) say what is wrong with it.
    private static readonly string[] HostFields = ["host", "hostname", "hardware_name", "machine", "name"];

    public static IReadOnlyList<string> Lines(Problem problem)
    {
        if (problem.Extensions?.TryGetValue("hosts", out var hosts) != true) return [];
        // Lenient on shape: a list of objects, of strings, or an object keyed by host all read as "host: why".
        return hosts.ValueKind switch
        {
            JsonValueKind.Array => hosts.EnumerateArray().Select(Entry).ToList(),
            JsonValueKind.Object => hosts.EnumerateObject().Select(p => $"{p.Name}: {Value(p.Value)}").ToList(),
            _ => [Value(hosts)],
        };
    }

    private static string Entry(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object) return Value(entry);
        var fields = entry.EnumerateObject().ToList();
        var host = fields.FindIndex(f => HostFields.Contains(f.Name));
        var text = string.Join("; ", fields.Where((_, i) => i != host).Select(Why));
        return host < 0 ? text : $"{Value(fields[host].Value)}: {(text.Length == 0 ? "refused" : text)}";
    }

    // A reason reads as itself; the holding batch as "held by batch 12" (what to watch or cancel); anything else as "field value".
    private static string Why(JsonProperty field) => field.Name switch
    {
        "reason" or "error" or "detail" or "message" => Value(field.Value),
        "batch_id" or "batch" or "held_by" => $"held by batch {Value(field.Value)}",
        _ => $"{field.Name} {Value(field.Value)}",
    };

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Select(Value)),
        _ => value.GetRawText(),
    };
}
