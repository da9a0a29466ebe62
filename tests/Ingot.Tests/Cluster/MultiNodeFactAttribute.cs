using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Tests.Cluster;

/// <summary>A test of several nodes on one database: PostgreSQL's runs only. SQLite is one node by design (DESIGN.md
/// §4.2): a second server on its file is refused at start, which ServeConfigTests and RestartTests check on that engine;
/// test.sh runs this project on both engines, so these tests run in every full run.</summary>
public sealed class MultiNodeFactAttribute : FactAttribute
{
    public MultiNodeFactAttribute()
    {
        if (!TestDatabase.IsPostgres) Skip = "several nodes share a database only on PostgreSQL (SQLite is one node)";
    }
}
