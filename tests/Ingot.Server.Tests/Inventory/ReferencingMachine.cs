using Dapper;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Inventory;

/// <summary>A machine row that points at a rack, SKU or role, written straight into the server's database:
/// the tests of those reference tables must not depend on the machine API, which is tested on its own.</summary>
public static class ReferencingMachine
{
    public static async Task<long> InsertAsync(TestServer server, long? siteId = null, long? rackId = null, long? skuId = null, long? roleId = null)
    {
        await using var c = await server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        var serial = Unique.Serial();
        return await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO machines (hardware_name, serial, site_id, rack_id, sku_id, role_id, state, created_at, updated_at)
            VALUES (@hardwareName, @serial, @siteId, @rackId, @skuId, @roleId, 'available', @now, @now) RETURNING id
            """,
            new { hardwareName = "hw-" + serial.ToLowerInvariant(), serial, siteId, rackId, skuId, roleId, now = DateTimeOffset.UtcNow });
    }

    public static async Task DeleteAsync(TestServer server, long id)
    {
        await using var c = await server.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        await c.ExecuteAsync("DELETE FROM machines WHERE id = @id", new { id });
    }
}
