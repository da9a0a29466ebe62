using System.Globalization;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.SelfService;

/// <summary>How many failed sign-ins cost nothing, per user and per source (INGOT_SIGNIN_*).</summary>
public sealed record SignInOptions(int FreeUser = 3, int FreeSource = 10);

/// <summary>Slows password guessing at the sign-ins (docs/authentication.md): a user's first
/// <see cref="SignInOptions.FreeUser"/> failures cost nothing, then each further attempt must wait twice as long as the
/// last, from 1 s up to <see cref="MaxUser"/> — the real user is kept out minutes at worst, never locked. A source (the
/// client's address) gets more free failures (a shared office address) and a longer cap. Counts are in the database, so
/// every node slows alike; an hour without failures starts a key afresh, and a success clears the user's count.</summary>
public static class SignInThrottle
{
    public static readonly TimeSpan MaxUser = TimeSpan.FromMinutes(5), MaxSource = TimeSpan.FromMinutes(15), Forget = TimeSpan.FromHours(1);

    /// <summary>Refuses (429) while either key must wait.</summary>
    public static async Task CheckAsync(Database db, string user, string source, DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var until = await c.QueryAsync<DateTimeOffset>(
            "SELECT blocked_until FROM sign_in_failures WHERE key IN (@user, @source) AND blocked_until IS NOT NULL",
            new { user = UserKey(user), source = SourceKey(source) });
        if (until.Where(u => u > now).Select(u => (DateTimeOffset?)u).Max() is { } wait)
            throw new TooManySignInsException(
                $"Too many failed sign-ins for this user or from this address; try again in {Math.Ceiling((wait - now).TotalSeconds).ToString(CultureInfo.InvariantCulture)} s.",
                wait - now);
    }

    public static Task FailedAsync(Database db, SignInOptions options, string user, string source, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async c =>
        {
            await CountAsync(c, UserKey(user), options.FreeUser, MaxUser, now);
            await CountAsync(c, SourceKey(source), options.FreeSource, MaxSource, now);
            return true;
        }, ct);

    public static Task SucceededAsync(Database db, string user, CancellationToken ct) =>
        db.InTransactionAsync(c => c.ExecuteAsync("DELETE FROM sign_in_failures WHERE key = @key", new { key = UserKey(user) }), ct);

    /// <summary>Where a sign-in comes from: the client's address, or for the portal (which calls over the server's private
    /// socket) the browser's, which only that socket may say (<see cref="SignInHeaders.PortalClient"/>).</summary>
    public static string SourceOf(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } address ? address.ToString()
        : http.Request.Headers[SignInHeaders.PortalClient].FirstOrDefault() is { Length: > 0 and <= 64 } browser ? browser : "local";

    private static async Task CountAsync(DataContext c, string key, int free, TimeSpan max, DateTimeOffset now)
    {
        var row = await c.QuerySingleOrDefaultAsync<FailureRow>(
            $"SELECT failures, last_at FROM sign_in_failures WHERE key = @key{Sql.ForUpdate(c)}", new { key });
        var failures = row is not null && now - row.LastAt < Forget ? row.Failures + 1 : 1;
        DateTimeOffset? until = failures <= free ? null : now + TimeSpan.FromSeconds(Math.Min(max.TotalSeconds, Math.Pow(2, failures - free - 1)));
        await c.ExecuteAsync(
            """
            INSERT INTO sign_in_failures (key, failures, last_at, blocked_until) VALUES (@key, @failures, @now, @until)
            ON CONFLICT (key) DO UPDATE SET failures = @failures, last_at = @now, blocked_until = @until
            """, new { key, failures, now, until });
    }

    private sealed class FailureRow
    {
        public int Failures { get; init; }
        public DateTimeOffset LastAt { get; init; }
    }

    private static string UserKey(string user) => "user:" + user.Trim().ToLowerInvariant();
    private static string SourceKey(string source) => "source:" + source;
}
