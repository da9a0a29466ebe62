using Dapper;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Notifications;

/// <summary>Keeps every user with an e-mail address subscribed to their own work (issue 14's defaults: a batch's
/// submitter hears of its acceptance and completion, a request's owner of its fulfilment or failure): every two seconds,
/// on one node at a time (a loop lease), it makes the default subscription of a user who has an address and none yet
/// (sending from the moment the address was set, so nothing between that moment and this tick is missed), follows a
/// changed address, and removes the default of a user whose address is gone. Users' rows are Data's; the user endpoints
/// (SelfService) only set the address, and never touch subscriptions. Without the server's SMTP settings it makes none.</summary>
public sealed class DefaultSubscriptions(Database db, NotificationOptions options, TimeProvider clock, ILogger<DefaultSubscriptions> log)
    : LeasedLoop(LeaseName, NewHolder(), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), db, clock, log)
{
    public const string LeaseName = "default-subscriptions";

    public const string Name = "my batches and requests (default)";

    protected override async Task TickAsync(CancellationToken ct)
    {
        if (options.Smtp.Host is null || !await HoldAsync(ct)) return;
        await RunOnceAsync(ct);
    }

    /// <returns>How many defaults it made.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await Db.InTransactionAsync(c => c.ExecuteAsync(
            """
            DELETE FROM subscriptions WHERE is_default = TRUE AND user_id IN (SELECT id FROM users WHERE email IS NULL)
            """), ct);
        await Db.InTransactionAsync(c => c.ExecuteAsync(
            """
            UPDATE subscriptions SET target = (SELECT u.email FROM users u WHERE u.id = subscriptions.user_id), attempts = 0, retry_at = NULL
            WHERE is_default = TRUE
              AND EXISTS (SELECT 1 FROM users u WHERE u.id = subscriptions.user_id AND u.email IS NOT NULL AND u.email <> subscriptions.target)
            """), ct);
        List<Missing> missing;
        await using (var c = await Db.OpenAsync(ct))
            missing = (await c.QueryAsync<Missing>(
                """
                SELECT u.id, u.name, u.email, u.email_set_at FROM users u
                WHERE u.email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = u.id AND s.is_default = TRUE)
                ORDER BY u.id LIMIT 500
                """)).AsList();
        foreach (var user in missing)
            await Db.InTransactionAsync(async c =>
            {
                var from = await EventLog.PositionAtAsync(c, user.EmailSetAt ?? Clock.GetUtcNow());
                return await c.ExecuteAsync(
                    """
                    INSERT INTO subscriptions (name, user_id, channel, target, types, only_user, is_default, cursor_tx, cursor_id, created_by, created_at)
                    SELECT @subscription, @Id, 'email', @Email, @types, @owner, TRUE, @tx, @cursor, 'ingot', @now
                    WHERE NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = @Id AND s.is_default = TRUE)
                    """,
                    new
                    {
                        subscription = Name, user.Id, user.Email, types = string.Join(',', SubscriptionEndpoints.DefaultTypes), owner = user.Name, tx = from.Tx,
                        cursor = from.Id, now = Clock.GetUtcNow(),
                    });
            }, ct);
        return missing.Count;
    }

    private sealed class Missing
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Email { get; init; } = "";
        public DateTimeOffset? EmailSetAt { get; init; }
    }
}
