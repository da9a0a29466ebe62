using System.Globalization;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Notifications;

/// <summary>A subscriptions row, as the deliveries and the API read it.</summary>
public sealed class SubscriptionRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public long UserId { get; init; }
    public string Owner { get; init; } = "";
    public long? TeamId { get; init; }
    public string? TeamName { get; init; }
    public string Channel { get; init; } = "";
    public string Target { get; init; } = "";
    public byte[]? Secret { get; init; }
    public string Types { get; init; } = "*";
    public string? OnlyUser { get; init; }
    public string? OnlyTeam { get; init; }
    public long? OnlyBatch { get; init; }
    public long? OnlyMachine { get; init; }
    public bool IsDefault { get; init; }
    public bool Enabled { get; init; }
    public long CursorTx { get; init; }
    public long CursorId { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? RetryAt { get; init; }
    public string? LastError { get; init; }
    public long Delivered { get; init; }
    public long Dead { get; init; }
    public DateTimeOffset? LastDeliveredAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public EventFilter Filter => new([.. Types.Split(',')], Machine: OnlyMachine, Batch: OnlyBatch, Team: OnlyTeam, User: OnlyUser);

    public EventPosition Cursor => new(CursorTx, CursorId);

    public DeliveryChannel Kind => Wire.TryParse<DeliveryChannel>(Channel, out var k) ? k : DeliveryChannel.Webhook;

    public SubscriptionView View(string? secret = null) => new(Id, Name, Owner, TeamName, Kind, Target, [.. Types.Split(',')],
        new SubscriptionFilter(OnlyUser is null ? null : true, OnlyTeam, OnlyBatch, OnlyMachine), Enabled, IsDefault, Delivered, Dead, Attempts,
        RetryAt, LastError, LastDeliveredAt, CreatedAt, secret);
}

/// <summary>Reading subscriptions with their owner's and team's names.</summary>
public static class Subscriptions
{
    public const string Select =
        """
        SELECT s.id, s.name, s.user_id, u.name AS owner, s.team_id, t.name AS team_name, s.channel, s.target, s.secret, s.types, s.only_user,
               s.only_team, s.only_batch, s.only_machine, s.is_default, s.enabled, s.cursor_tx, s.cursor_id, s.attempts, s.retry_at,
               s.last_error, s.delivered, s.dead, s.last_delivered_at, s.created_at
        FROM subscriptions s JOIN users u ON u.id = s.user_id LEFT JOIN teams t ON t.id = s.team_id
        """;

    /// <summary>Deletes delivery attempts older than <paramref name="before"/> (retention); a subscription's counts stay.</summary>
    public static Task<long> PruneLogAsync(Database db, DateTimeOffset before, int batch, CancellationToken ct) =>
        Pruning.DeleteOlderAsync(db, "deliveries", before, batch, ct);

    public static async Task<SubscriptionRow> GetAsync(DataContext c, long id) =>
        await c.QuerySingleOrDefaultAsync<SubscriptionRow>($"{Select} WHERE s.id = @id", new { id })
        ?? throw new NotFoundException("subscription", id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Its owner, the members of its team, and admins manage a subscription; others get a 404 (they need not
    /// know it is there).</summary>
    public static async Task<SubscriptionRow> GetManagedAsync(DataContext c, long id, Caller caller)
    {
        var row = await GetAsync(c, id);
        if (!Manages(caller, row)) throw new NotFoundException("subscription", id.ToString(CultureInfo.InvariantCulture));
        return row;
    }

    public static bool Manages(Caller caller, SubscriptionRow row) =>
        caller.Admin || row.UserId == caller.UserId || (row.TeamId is { } team && caller.Teams.ContainsKey(team));
}
