using Dapper;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.SelfService.Directory;

/// <summary>Looks every directory user up again every <see cref="LdapOptions.SyncInterval"/>, on one node at a time (a
/// loop lease): their teams and grant follow their groups, and a user the directory no longer has is disabled and loses
/// their tokens — access that went in the directory goes in Ingot within the interval. A directory that cannot be
/// reached changes nothing (it is logged, and tried again next time): an outage must not lock everyone out.</summary>
public sealed class DirectorySync(Database db, LdapOptions options, LdapDirectory directory, TimeProvider clock, ILogger<DirectorySync> log)
    : LeasedLoop(LeaseName, NewHolder(), options.SyncInterval, TimeSpan.FromSeconds(Math.Max(30, options.SyncInterval.TotalSeconds * 3)), db, clock, log)
{
    public const string LeaseName = "directory-sync";

    protected override async Task TickAsync(CancellationToken ct)
    {
        if (!options.Enabled || !await HoldAsync(ct)) return;
        await RunOnceAsync(ct);
    }

    /// <returns>How many users it disabled.</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        List<(long Id, string Name)> users;
        await using (var c = await Db.OpenAsync(ct))
            users = (await c.QueryAsync<(long, string)>("SELECT id, name FROM users WHERE origin = @origin AND disabled_at IS NULL ORDER BY id",
                new { origin = DirectoryAccounts.Origin })).AsList();
        var disabled = 0;
        foreach (var (id, name) in users)
        {
            DirectoryUser? found;
            try
            {
                found = await directory.FindAsync(name, ct);
            }
            catch (System.DirectoryServices.Protocols.LdapException e)
            {
                log.LogWarning("Directory sync stopped at {User}: the directory did not answer ({Error}); nothing changed, trying again in {Interval}",
                    name, e.Message, options.SyncInterval);
                return disabled;
            }
            var now = Clock.GetUtcNow();
            if (found is null)
            {
                await Db.InTransactionAsync(async c => { await DirectoryAccounts.DisableAsync(c, id, now); return true; }, ct);
                log.LogInformation("Directory sync: {User} is no longer in the directory; disabled, tokens revoked", name);
                disabled++;
            }
            else await Db.InTransactionAsync(c => DirectoryAccounts.ApplyAsync(c, found, DirectoryAccounts.AccessOf(found, options), now), ct);
        }
        return disabled;
    }
}
