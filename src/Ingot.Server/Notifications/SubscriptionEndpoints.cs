using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using MimeKit;

namespace Ingot.Server.Notifications;

/// <summary>/api/v1/subscriptions (docs/events.md): anyone signed in subscribes themselves, or a team they belong to, to
/// event types and filters, sent to a webhook, a chat channel or an e-mail address. A subscription hears only what
/// happens after it is made.</summary>
public static class SubscriptionEndpoints
{
    public static void MapSubscriptions(this RouteGroupBuilder api)
    {
        var subscriptions = api.MapGroup("/subscriptions").WithTags("Events");
        subscriptions.MapGet("", ListAsync);
        subscriptions.MapGet("/{id:long}", GetAsync);
        subscriptions.MapPost("", CreateAsync);
        subscriptions.MapPatch("/{id:long}", UpdateAsync);
        subscriptions.MapDelete("/{id:long}", DeleteAsync);
        subscriptions.MapGet("/{id:long}/deliveries", DeliveriesAsync);
    }

    /// <summary>What a subscription made without types hears: its owner's batches accepted and completed, their requests
    /// fulfilled or failed.</summary>
    public static readonly string[] DefaultTypes = ["batch.accepted", "batch.completed", "request.fulfilled", "request.failed"];

    public const int MaxPerUser = 100;

    private static async Task<Ok<Page<SubscriptionView>>> ListAsync(HttpContext http, Database db, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var v = new Validation();
        var q = new QueryText(http.Request.Query, ["after", "limit"], "subscription", v);
        var limit = q.Int("limit", 1, 1000) ?? 100;
        var after = q.Cursor();
        v.ThrowIfInvalid();
        var where = new StringBuilder("WHERE 1 = 1");
        var args = new DynamicParameters(new { take = limit + 1, me = caller.UserId, teams = Sql.List(caller.Teams.Keys) });
        await using var c = await db.OpenAsync(ct);
        if (!caller.Admin) where.Append($" AND (s.user_id = @me OR {Sql.AnyOf(c, "s.team_id", "teams")})");
        if (after is not null) { where.Append(" AND s.id < @after"); args.Add("after", after); }
        var rows = (await c.QueryAsync<SubscriptionRow>($"{Subscriptions.Select} {where} ORDER BY s.id DESC LIMIT @take", args)).AsList();
        return TypedResults.Ok(Keyset.Page(rows, limit, r => r.Id, r => r.View()));
    }

    private static async Task<Ok<SubscriptionView>> GetAsync(long id, HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok((await Subscriptions.GetManagedAsync(c, id, Caller.From(http))).View());
    }

    private static async Task<Created<SubscriptionView>> CreateAsync(SubscriptionCreate? body, HttpContext http, Database db, EventCatalog catalog,
                                                                     NotificationOptions options, SecretBox secrets, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var v = new Validation();
        var name = v.Required("name", body?.Name);
        v.When(name is { Length: > 100 }, "name", "is longer than 100 characters.");
        DeliveryChannel? channel = null;
        if (v.Required("channel", body?.Channel) is { } channelText)
        {
            if (Wire.TryParse<DeliveryChannel>(channelText, out var parsed)) channel = parsed;
            else v.Add("channel", $"'{channelText}' is not a channel; use one of {Wire.Names<DeliveryChannel>()}.");
        }
        var target = v.Required("target", body?.Target);
        if (target is not null && channel is { } kind) v.When(TargetProblem(kind, target) is not null, "target", TargetProblem(kind, target) ?? "");
        if (channel == DeliveryChannel.Email && options.Smtp.Host is null)
            v.Add("channel", "e-mail needs the server's SMTP settings (INGOT_SMTP_HOST); use a webhook or chat, or ask an admin to set them.");
        var types = body?.Types is { Count: > 0 } given
            ? EventFilter.Patterns(string.Join(',', given), catalog, v, "types")
            : DefaultTypes;
        var filter = body?.Filter ?? (body?.Types is { Count: > 0 } ? new SubscriptionFilter() : new SubscriptionFilter(Mine: true));
        v.ThrowIfInvalid();

        var secret = channel == DeliveryChannel.Webhook ? "whsec_" + Base64Url(RandomNumberGenerator.GetBytes(32)) : null;
        var id = await db.InTransactionAsync(async c =>
        {
            long? teamId = null;
            if (body!.Team is { } team)
            {
                teamId = await c.ExecuteScalarAsync<long?>("SELECT id FROM teams WHERE name = @team", new { team })
                         ?? throw new ValidationException("team", $"no team is named '{team}'.");
                if (!caller.Admin && !caller.Teams.ContainsKey(teamId.Value))
                    throw new ForbiddenException($"A subscription of team {team} needs one of its members or an admin; '{caller.Name}' is {caller.Describe()}.");
            }
            await NamedRows.RequireAsync(c, "teams", "filter.team", filter.Team);
            if (filter.Batch is { } batch && await c.ExecuteScalarAsync<long?>("SELECT id FROM batches WHERE id = @batch", new { batch }) is null)
                throw new ValidationException("filter.batch", $"no batch {batch}.");
            if (filter.Machine is { } machine && await c.ExecuteScalarAsync<long?>("SELECT id FROM machines WHERE id = @machine", new { machine }) is null)
                throw new ValidationException("filter.machine", $"no machine {machine}.");
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM subscriptions WHERE user_id = @me", new { me = caller.UserId }) >= MaxPerUser)
                throw new ConflictException($"'{caller.Name}' has {MaxPerUser} subscriptions, the most one user may have; delete one first.");
            var head = await EventLog.HeadAsync(c);
            return await c.ExecuteScalarAsync<long>(
                """
                INSERT INTO subscriptions (name, user_id, team_id, channel, target, secret, types, only_user, only_team, only_batch, only_machine,
                                           cursor_tx, cursor_id, created_by, created_at)
                VALUES (@name, @me, @teamId, @channel, @target, @secret, @types, @onlyUser, @onlyTeam, @batch, @machine, @tx, @cursor, @by, @now)
                RETURNING id
                """,
                new
                {
                    name, me = caller.UserId, teamId, channel = Wire.Name(channel!.Value), target, secret = secret is null ? null : secrets.Seal(secret),
                    types = string.Join(',', types), onlyUser = filter.Mine == true ? caller.Name : null, onlyTeam = filter.Team, batch = filter.Batch,
                    machine = filter.Machine, tx = head.Tx, cursor = head.Id, by = caller.Name, now = clock.GetUtcNow(),
                });
        }, ct);
        await using var read = await db.OpenAsync(ct);
        return TypedResults.Created($"/api/v1/subscriptions/{id}", (await Subscriptions.GetAsync(read, id)).View(secret));
    }

    /// <summary>Why <paramref name="target"/> cannot receive <paramref name="channel"/>'s deliveries, or null.</summary>
    private static string? TargetProblem(DeliveryChannel channel, string target)
    {
        if (target.Length > 2000) return "is longer than 2,000 characters.";
        if (channel == DeliveryChannel.Email)
            return MailboxAddress.TryParse(target, out var address) && address.Address.Contains('@') && !target.Contains(',')
                ? null : $"'{target}' is not one e-mail address.";
        if (!Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return $"'{target}' is not an http or https URL.";
        if (url.UserInfo.Length > 0) return "must not carry a user name or password; webhooks are signed instead (docs/events.md).";
        return null;
    }

    /// <summary>Pauses or resumes it. A resumed subscription starts at the head: what happened while it was paused is
    /// not sent (a backlog of hours arriving at once helps no one; the event list has it). The lease is cleared too, so a
    /// node still sending it stops at its next write rather than write its older cursor back.</summary>
    private static async Task<Ok<SubscriptionView>> UpdateAsync(long id, SubscriptionUpdate? body, HttpContext http, Database db, CancellationToken ct)
    {
        var v = new Validation();
        v.When(body?.Enabled is null, "enabled", "is required: true resumes the subscription, false pauses it.");
        v.ThrowIfInvalid();
        var enabled = body!.Enabled!.Value;
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            var row = await Subscriptions.GetManagedAsync(c, id, Caller.From(http));
            if (row.Enabled != enabled)
            {
                var head = await EventLog.HeadAsync(c);
                await c.ExecuteAsync(
                    $"""
                    UPDATE subscriptions SET enabled = @enabled, attempts = 0, retry_at = NULL, last_error = NULL, lease_owner = NULL, lease_expires = NULL
                    {(enabled ? ", cursor_tx = @tx, cursor_id = @cursor" : "")} WHERE id = @id
                    """, new { id, enabled, tx = head.Tx, cursor = head.Id });
            }
            return (await Subscriptions.GetAsync(c, id)).View();
        }, ct));
    }

    private static async Task<NoContent> DeleteAsync(long id, HttpContext http, Database db, CancellationToken ct)
    {
        await db.InTransactionAsync(async c =>
        {
            var row = await Subscriptions.GetManagedAsync(c, id, Caller.From(http));
            if (row.IsDefault)
                throw new ConflictException(
                    $"Subscription {id} is {row.Owner}'s default (their e-mail address): pause it with PATCH {{\"enabled\": false}} " +
                    "(ingot subscriptions disable), or remove the address (ingot users update --email '').");
            return await c.ExecuteAsync("DELETE FROM subscriptions WHERE id = @id", new { id });
        }, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Page<DeliveryView>>> DeliveriesAsync(long id, HttpContext http, Database db, CancellationToken ct)
    {
        var v = new Validation();
        var q = new QueryText(http.Request.Query, ["outcome", "after", "limit"], "delivery", v);
        var outcome = q.Text("outcome");
        v.When(outcome is not (null or "delivered" or "failed" or "dead"), "outcome", $"'{outcome}' is not delivered, failed or dead.");
        var limit = q.Int("limit", 1, 1000) ?? 100;
        var after = q.Cursor();
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        await Subscriptions.GetManagedAsync(c, id, Caller.From(http));
        var rows = (await c.QueryAsync<DeliveryRow>(
            $"""
            SELECT id, event_id, attempt, outcome, status_code, error, duration_ms, at FROM deliveries
            WHERE subscription_id = @id{(outcome is null ? "" : " AND outcome = @outcome")}{(after is null ? "" : " AND id < @after")}
            ORDER BY id DESC LIMIT @take
            """, new { id, outcome, after, take = limit + 1 })).AsList();
        return TypedResults.Ok(Keyset.Page(rows, limit, r => r.Id, r => r.View()));
    }

    private sealed class DeliveryRow
    {
        public long Id { get; init; }
        public long EventId { get; init; }
        public int Attempt { get; init; }
        public string Outcome { get; init; } = "";
        public int? StatusCode { get; init; }
        public string? Error { get; init; }
        public int DurationMs { get; init; }
        public DateTimeOffset At { get; init; }

        public DeliveryView View() => new(Id, EventId, Attempt, Outcome, StatusCode, Error, DurationMs, At);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
