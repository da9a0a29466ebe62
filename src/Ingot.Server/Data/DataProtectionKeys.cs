using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Data;

/// <summary>The portal's Data Protection key ring, kept in the database (portal_keys) so that every node shares it: a
/// session cookie or an antiforgery token sealed by one node opens on any other behind the same name. Each key's XML is
/// sealed with the server's secret key, which every node must share anyway (SecretBox.CheckAgainstAsync).
/// <see cref="IXmlRepository"/> is synchronous; Data Protection reads it at start, when its ring is due to be refreshed
/// (daily) and when it makes a key (every 90 days), so blocking on the database there costs nothing noticeable.</summary>
public sealed class DataProtectionKeys(Database db, SecretBox secrets) : IXmlRepository
{
    private const string Bootstrap = "bootstrap";

    public IReadOnlyCollection<XElement> GetAllElements() => Task.Run(async () =>
    {
        await using var c = await db.OpenAsync(CancellationToken.None);
        var rows = await c.QueryAsync<byte[]>("SELECT sealed FROM portal_keys WHERE name <> @bootstrap ORDER BY name", new { bootstrap = Bootstrap });
        // A key this node cannot open (sealed under another secret key) is left out: the node refuses to start with a
        // different key, so this is only a row written by hand.
        return (IReadOnlyCollection<XElement>)[.. rows.Select(r => secrets.TryOpen(r, out var xml) ? XElement.Parse(xml) : null).OfType<XElement>()];
    }).GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => Task.Run(() => db.InTransactionAsync(c => c.ExecuteAsync(
        "INSERT INTO portal_keys (name, sealed) VALUES (@name, @sealed) ON CONFLICT (name) DO NOTHING",
        new { name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName, @sealed = secrets.Seal(element.ToString(SaveOptions.DisableFormatting)) }),
        CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary>Makes sure the ring has a key before the node serves. Without this, nodes started together on an empty
    /// ring would each make their own first key and, until their daily refresh, refuse each other's cookies: one node
    /// (the one whose marker row goes in) makes it, the others wait for it.</summary>
    public static async Task EnsureKeyAsync(IServiceProvider services, Database db, CancellationToken ct)
    {
        var keys = services.GetRequiredService<IKeyManager>();
        if (keys.GetAllKeys().Count > 0) return;
        var first = await db.InTransactionAsync(c => c.ExecuteAsync(
            "INSERT INTO portal_keys (name, sealed) VALUES (@bootstrap, @empty) ON CONFLICT (name) DO NOTHING", new { bootstrap = Bootstrap, empty = Array.Empty<byte>() }), ct) == 1;
        // A node that took the marker and died before making the key: after a while the others make one.
        // Real time, as Data Protection keeps it (not the server's clock, which tests may hold still).
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!first && keys.GetAllKeys().Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100, ct);
        if (keys.GetAllKeys().Count > 0) return;
        var now = DateTimeOffset.UtcNow;
        keys.CreateNewKey(now, now.AddDays(90));
    }
}
