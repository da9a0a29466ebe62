using Ingot.Server.Api;

namespace Ingot.Server.Data;

/// <summary>Filters by a catalog name (a site, team or role in a query): a misspelt one would select nothing and read as
/// "nothing there" (a clean fleet, a team that spends nothing), so it is a 422 naming the field instead.</summary>
public static class NamedRows
{
    /// <param name="table">One of the name-keyed tables: sites, teams, roles, skus.</param>
    public static async Task RequireAsync(DataContext c, string table, string field, string? name)
    {
        if (table is not ("sites" or "teams" or "roles" or "skus")) throw new ArgumentOutOfRangeException(nameof(table), table, "not a name-keyed table");
        if (name is not null && await c.ExecuteScalarAsync<long?>($"SELECT id FROM {table} WHERE name = @name", new { name }) is null)
            throw new ValidationException(field, $"no {field} is named '{name}'.");
    }
}
