using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Ingot.Server.Inventory;

/// <summary>Issue 11 A.4: optimistic concurrency for machine edits. A machine's ETag is its row version (bumped by
/// every write to the row); GET and PATCH send it, and a PATCH with If-Match changes nothing unless the machine is
/// still at one of the versions named (RFC 9110 §13.1.1: strong comparison, "*" matches any). Without If-Match a
/// PATCH applies as before, last writer wins.</summary>
public static class MachineVersions
{
    public static string ETag(long version) => $"\"{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";

    public static Task<long> ReadAsync(DataContext c, long machineId, bool forUpdate = false) =>
        c.ExecuteScalarAsync<long>("SELECT version FROM machines WHERE id = @machineId" + (forUpdate ? Sql.ForUpdate(c) : ""), new { machineId });

    public static async Task SendAsync(HttpContext http, DataContext c, long machineId) =>
        http.Response.Headers.ETag = ETag(await ReadAsync(c, machineId));

    /// <summary>Throws 412 when If-Match names versions and the machine is at none of them; 422 when it does not parse.</summary>
    public static void RequireMatch(HttpContext http, long version, string machine)
    {
        if (Preconditions.IfMatch(http) is not { } tags) return;
        var current = ETag(version);
        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || (!t.IsWeak && t.Tag == current))) return;
        throw new PreconditionFailedException(
            $"Machine {machine} changed since it was read: it is at ETag {current}, not {string.Join(", ", tags)}. Read it again and retry.", current);
    }
}
