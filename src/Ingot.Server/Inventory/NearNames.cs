using System.Text;
using Dapper;
using Ingot.Server.Data;
using Quickenshtein;

namespace Ingot.Server.Inventory;

/// <summary>The hostnames and hardware names nearest to one that no machine has, for a 404's "did you mean": a
/// mistyped name is usually right up to the slip, so the candidates are the names sharing the key's longer prefixes
/// (a few index range scans of at most <see cref="PerScan"/> rows each, whatever the fleet's size), ranked by edit
/// distance. A slip in the first characters finds nothing, which is the price of never scanning the table.</summary>
public static class NearNames
{
    public const int Most = 3;
    private const int PerScan = 64;

    public static async Task<IReadOnlyList<string>> FindAsync(DataContext c, string key)
    {
        key = key.Trim().ToLowerInvariant();
        if (key.Length < 3) return [];
        var prefixes = new[] { key.Length - 1, key.Length - 2, key.Length - 3, key.Length / 2 }
            .Where(n => n >= 2).Distinct().Select(n => key[..n]).ToList();
        var sql = new StringBuilder();
        var args = new DynamicParameters(new { take = PerScan });
        for (var i = 0; i < prefixes.Count; i++)
        {
            // [p, p + U+FFFF): byte order in SQLite and in PostgreSQL's C collation, so each is an index range scan.
            args.Add($"low{i}", prefixes[i]);
            args.Add($"high{i}", prefixes[i] + '\uffff');
            foreach (var column in new[] { "hostname", "hardware_name" })
            {
                if (sql.Length > 0) sql.Append(" UNION ALL ");
                sql.Append($"SELECT name FROM (SELECT {column} AS name FROM machines WHERE {column} >= @low{i} AND {column} < @high{i} " +
                           $"ORDER BY {column} LIMIT @take) {column[0]}{i}");
            }
        }
        var candidates = await c.QueryAsync<string>(sql.ToString(), args);
        // Further than a third of the name is another name, not a slip.
        var farthest = Math.Clamp(key.Length / 3, 1, 3);
        return candidates.Distinct(StringComparer.Ordinal)
            .Select(name => (Name: name, Distance: Levenshtein.GetDistance(key, name)))
            .Where(n => n.Distance <= farthest)
            .OrderBy(n => n.Distance).ThenBy(n => n.Name, StringComparer.Ordinal)
            .Take(Most).Select(n => n.Name).ToList();
    }
}
