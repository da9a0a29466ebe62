using Ingot.Server.Api;

namespace Ingot.Server.Data;

/// <summary>Deleting a row of a reference table (site, rack, SKU, role, team): 404 when it is not there,
/// 409 — with the caller's sentence on what still uses it — when foreign keys refuse the delete.</summary>
public static class ReferencedRows
{
    public static async Task DeleteAsync(
        Database db, string deleteSql, object args, Func<NotFoundException> missing,
        Func<DataContext, Task<string>> stillUsed, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        try
        {
            if (await c.ExecuteAsync(deleteSql, args) == 0) throw missing();
        }
        catch (Exception e) when (DbErrors.IsForeignKeyViolation(e))
        {
            throw new ConflictException(await stillUsed(c));
        }
    }
}
