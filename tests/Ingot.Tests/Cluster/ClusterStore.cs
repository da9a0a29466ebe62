using Dapper;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Tests.Cluster;

/// <summary>The one database the nodes of a cluster share, on the run's engine (INGOT_TEST_ENGINE, see
/// <see cref="TestDatabase"/>): on PostgreSQL a fresh database, each node with a data directory of its own; on
/// SQLite one file in a shared data directory, served by one node at a time (SQLite is one node: a killed node's
/// successor opens it once the dead process has released it). Runs of several live nodes always use PostgreSQL.</summary>
public sealed class ClusterStore : IAsyncDisposable
{
    private readonly string root;
    private readonly string? postgres;
    private Database? reader;

    private ClusterStore(string root, string? postgres)
    {
        this.root = root;
        this.postgres = postgres;
    }

    /// <param name="severalNodes">Nodes that run side by side: PostgreSQL on either engine's run (DESIGN.md §4.2).</param>
    public static async Task<ClusterStore> CreateAsync(string root, bool severalNodes) =>
        new(root, severalNodes ? await TestDatabase.CreatePostgresAsync() : await TestDatabase.CreateAsync());

    public string Engine => postgres is null ? "sqlite" : "postgres";

    public string DataDirectory(int node) => Path.Combine(root, postgres is null ? "shared-data" : $"node{node}-data");

    /// <summary>The variables that point a node at this database (none on SQLite: the data directory names the file).</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        postgres is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["INGOT_DATABASE"] = postgres };

    private sealed class LeaseRow
    {
        public long Id { get; init; }
        public string LeaseOwner { get; init; } = "";
    }

    /// <summary>Running jobs and the node holding each, read straight from the jobs table. The API does not say which
    /// node runs a job, and a finished job's lease is cleared; a lease owner is "host:pid:suffix" (DatabaseJobQueue.NodeId),
    /// so sampling this while jobs run tells which processes ran them.</summary>
    public async Task<IReadOnlyList<(long Job, string Owner)>> RunningLeasesAsync()
    {
        reader ??= Database.Open(postgres, DataDirectory(0));
        await using var c = await reader.OpenAsync(CancellationToken.None);
        var rows = await c.QueryAsync<LeaseRow>("SELECT id, lease_owner FROM jobs WHERE status = 'running' AND lease_owner IS NOT NULL");
        return [.. rows.Select(r => (r.Id, r.LeaseOwner))];
    }

    public async ValueTask DisposeAsync()
    {
        if (reader is not null) await reader.DisposeAsync();
    }
}
