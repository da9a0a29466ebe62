using System.Globalization;
using System.Text.Json;
using Ingot.Client;

namespace Ingot.Server.Notifications;

/// <summary>An event in one sentence, for people: chat messages and e-mail subjects. Types it does not know read as
/// "type subject"; the data is always attached in full elsewhere (the e-mail's table, the webhook's JSON).</summary>
public static class EventText
{
    public static string Summary(EventView e)
    {
        string S(string name) => e.Data.TryGetProperty(name, out var p) && p.ValueKind != JsonValueKind.Null
            ? p.ValueKind == JsonValueKind.String ? p.GetString() ?? "" : p.GetRawText() : "";
        var noun = e.Type.Split('.')[0];
        var what = e.Type[(noun.Length + 1)..].Replace('_', ' ');
        return noun switch
        {
            "job" when e.Type == "job.step" => $"Job {S("job_id")} ({S("action")}) step {S("step")} {S("status")}" +
                                               (S("message") is { Length: > 0 } said ? $": {said}" : ""),
            "job" => $"Job {S("job_id")} ({S("action")}) on {S("machine")} {what}" +
                     (e.Type is "job.failed" or "job.retrying" && S("error").Length > 0 ? $": {S("error")}" : "") +
                     (e.Type == "job.retrying" ? $" (attempt {S("attempt")} of {S("max_attempts")})" : ""),
            "batch" when e.Type == "batch.accepted" => $"Batch {S("batch_id")} ({S("action")}) accepted: {S("hosts")} host(s)" +
                                                      (S("excluded") is { Length: > 0 } x && x != "0" ? $", {x} left out" : ""),
            "batch" => $"Batch {S("batch_id")} ({S("action")}) {S("status").Replace('_', ' ')}: {S("succeeded")} succeeded, {S("failed")} failed, {S("cancelled")} cancelled",
            "machine" => $"Machine {S("machine")} moved {S("from")} → {S("to")} ({S("trigger")} by {S("actor")})" + (S("reason") is { Length: > 0 } r ? $": {r}" : ""),
            "bmc" => $"BMC of {S("machine")} is {S("to")} (was {S("from")})" + (S("error") is { Length: > 0 } err ? $": {err}" : ""),
            "request" or "pool" when e.Type.EndsWith(".resized", StringComparison.Ordinal) => $"Pool {S("id")} of {S("role")} resized {S("previous")} → {S("desired")} by {S("by")}",
            "request" or "pool" when e.Type.EndsWith(".member", StringComparison.Ordinal) =>
                $"{char.ToUpperInvariant(noun[0])}{noun[1..]} {S("id")}: machine {S("machine_id")} {S("previous")} → {S("status")}" + (S("reason") is { Length: > 0 } why ? $": {why}" : ""),
            "request" or "pool" when e.Type.Contains("lease", StringComparison.Ordinal) => $"Request {S("request")} of {S("role")}: lease {what.Replace("lease ", "")} ({S("expires_at")})",
            "request" or "pool" => $"{char.ToUpperInvariant(noun[0])}{noun[1..]} {S("id")} of {S("role")} in {S("site")} is {what}" +
                                   (S("short_reason") is { Length: > 0 } why ? $": {why}" : ""),
            _ => $"{e.Type} {e.Subject}",
        };
    }

    /// <summary>The event's fields as (name, value) lines, for the e-mail's body.</summary>
    public static IEnumerable<(string Name, string Value)> Fields(EventView e)
    {
        yield return ("event", $"{e.Type} (v{e.Version}), id {e.Id.ToString(CultureInfo.InvariantCulture)}");
        yield return ("at", e.At.ToString("u", CultureInfo.InvariantCulture));
        yield return ("subject", e.Subject);
        if (e.Data.ValueKind != JsonValueKind.Object) yield break;
        foreach (var p in e.Data.EnumerateObject())
            if (p.Value.ValueKind != JsonValueKind.Null)
                yield return (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText());
    }
}
