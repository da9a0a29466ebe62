using System.Data.Common;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>Writes the good rows of an import in the caller's transaction, a chunk at a time under a
/// savepoint. The checks before it make clashes rare; one can still come from a concurrent writer, and
/// then only that chunk is redone row by row, so only the clashing row is rejected.</summary>
public static class ImportWriter
{
    private const int Chunk = 500;

    /// <returns>The rows written; a row that clashed gets the reason in its <see cref="ImportCandidate.Reasons"/>.</returns>
    public static async Task<IReadOnlyList<ImportCandidate>> WriteAsync(
        DataContext c, MachineWriter writer, IReadOnlyList<ImportCandidate> good, string actor, DateTimeOffset now)
    {
        var written = new List<ImportCandidate>();
        foreach (var chunk in good.Chunk(Chunk))
        {
            await c.SaveAsync("import_chunk");
            try
            {
                await writer.InsertManyAsync(c, chunk.Select(row => row.Draft!).ToList(), actor, "import", now);
                await c.ReleaseAsync("import_chunk");
                written.AddRange(chunk);
            }
            catch (Exception e) when (IsClash(e))
            {
                // PostgreSQL refuses every statement after an error until the savepoint is rolled back.
                await c.RollbackToAsync("import_chunk");
                written.AddRange(await OneByOneAsync(c, writer, chunk, actor, now));
            }
        }
        return written;
    }

    private static async Task<List<ImportCandidate>> OneByOneAsync(
        DataContext c, MachineWriter writer, ImportCandidate[] chunk, string actor, DateTimeOffset now)
    {
        var written = new List<ImportCandidate>();
        foreach (var row in chunk)
        {
            await c.SaveAsync("import_row");
            try
            {
                await writer.InsertAsync(c, row.Draft!, actor, "import", now);
                await c.ReleaseAsync("import_row");
                written.Add(row);
            }
            catch (Exception e) when (IsClash(e))
            {
                await c.RollbackToAsync("import_row");
                row.Reasons.Add(Reason(e, row));
            }
        }
        return written;
    }

    // A foreign-key violation means a site, rack, SKU or role named in the file was deleted during the import.
    private static bool IsClash(Exception e) => DbErrors.IsUniqueViolation(e) || DbErrors.IsForeignKeyViolation(e);

    private static string Reason(Exception e, ImportCandidate row) =>
        DbErrors.IsForeignKeyViolation(e)
            ? "its site, rack, SKU or role was deleted while the file was being imported"
            : MachineWriter.Clash(e, row.Draft!.Serial, row.Draft.Nics, row.Draft.Hostname).Message + " (written by someone else during the import)";
}
