using Dapper;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Data;

/// <summary>The write contract every feature relies on, under concurrency: a write's changes are all committed or
/// none, a failing write takes nothing of the others with it, and a write that returned is committed. On SQLite the
/// writes share group commits (Data/GroupCommit.cs), so these are the cases where grouping could go wrong.</summary>
public sealed class WriteTransactionTests : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("ingot-writes-").FullName;
    private Database db = null!;

    public async Task InitializeAsync()
    {
        db = Database.Open(await TestDatabase.CreateAsync(), directory);
        await db.WriteAsync(c => c.ExecuteAsync("CREATE TABLE ledger (id BIGINT PRIMARY KEY, writer INTEGER NOT NULL)"), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await db.DisposeAsync();
        Directory.Delete(directory, true);
    }

    [Fact]
    public async Task Concurrent_writes_commit_independently_and_a_failing_one_leaves_no_trace()
    {
        // 200 concurrent writers, each inserting two rows; every third inserts its second row over an existing key
        // (a unique violation after its first row is written), and every seventh throws after both of its inserts.
        var writes = Enumerable.Range(1, 200).Select(w => db.InTransactionAsync(async c =>
        {
            await c.ExecuteAsync("INSERT INTO ledger (id, writer) VALUES (@id, @w)", new { id = w * 10L, w });
            await c.ExecuteAsync("INSERT INTO ledger (id, writer) VALUES (@id, @w)", new { id = w % 3 == 0 ? 10L : w * 10L + 1, w });
            if (w % 7 == 0) throw new InvalidOperationException($"writer {w} gives up");
            return w;
        }, CancellationToken.None)).ToList();
        var outcomes = await Task.WhenAll(writes.Select(async t =>
        {
            try { return (Ok: true, Error: (Exception?)null, Writer: await t); }
            catch (Exception e) { return (Ok: false, Error: e, Writer: 0); }
        }));

        var expected = Enumerable.Range(1, 200).Where(w => w % 3 != 0 && w % 7 != 0).ToHashSet();
        Assert.Equal(expected, outcomes.Where(o => o.Ok).Select(o => o.Writer).ToHashSet());
        Assert.All(outcomes.Where(o => !o.Ok), o => Assert.True(o.Error is InvalidOperationException || DbErrors.IsUniqueViolation(o.Error!), o.Error!.ToString()));
        await using var c = await db.OpenAsync(CancellationToken.None);
        var rows = (await c.QueryAsync<(long Id, int Writer)>("SELECT id, writer FROM ledger")).ToList();
        // Writer 1 owns key 10, which every third writer tried to take: it is still writer 1's.
        Assert.Equal(expected.SelectMany(w => new[] { w * 10L, w * 10L + 1 }).Order(), rows.Select(r => r.Id).Order());
        Assert.All(rows, r => Assert.Equal(r.Id / 10, r.Writer));
    }

    [Fact]
    public async Task A_write_sees_the_writes_that_returned_before_it_started()
    {
        for (var i = 1; i <= 50; i++)
        {
            var id = i;
            await db.WriteAsync(c => c.ExecuteAsync("INSERT INTO ledger (id, writer) VALUES (@id, 0)", new { id }), CancellationToken.None);
            var count = await db.InTransactionAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ledger"), CancellationToken.None);
            Assert.Equal(i, count);
        }
    }

    [Fact]
    public async Task On_SQLite_a_database_that_cannot_be_opened_fails_the_writes_instead_of_holding_them()
    {
        // Whatever engine the run tests, this is about SQLite's grouped writes: the group's leader must hand the error
        // to the queued writes, not retry them forever.
        await using var broken = Database.Open($"sqlite:{Path.Combine(directory, "no-such-directory", "ingot.db")}", directory);
        var writes = Enumerable.Range(0, 5).Select(_ => broken.WriteAsync(c => c.ExecuteAsync("SELECT 1"), CancellationToken.None)).ToList();
        foreach (var write in writes)
            await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => write.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_write_cancelled_before_it_runs_is_not_committed()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            db.WriteAsync(c => c.ExecuteAsync("INSERT INTO ledger (id, writer) VALUES (1, 1)"), cancelled.Token));
        await using var c = await db.OpenAsync(CancellationToken.None);
        Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ledger"));
    }
}
