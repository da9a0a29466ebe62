using System.Globalization;
using Ingot.Client;

namespace Ingot.Server.Api;

/// <summary>A keyset page from rows read with LIMIT limit + 1: the extra row, when it came, says there is a next page,
/// and the last row kept is its cursor.</summary>
public static class Keyset
{
    public static Page<TView> Page<TRow, TView>(List<TRow> rows, int limit, Func<TRow, long> id, Func<TRow, TView> view)
    {
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new Page<TView>([.. rows.Select(view)], more ? id(rows[^1]).ToString(CultureInfo.InvariantCulture) : null, null);
    }
}
