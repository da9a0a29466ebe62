using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Data;

/// <summary>SQLite keeps times as text; unless every write uses one fixed-width UTC format, comparing
/// and sorting times in SQL silently goes wrong. PostgreSQL keeps timestamptz.</summary>
public sealed class TimeStorageTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Times_written_by_single_and_bulk_inserts_are_stored_in_one_sortable_form()
    {
        var machine = await fixture.Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        var db = fixture.Server.Services.GetRequiredService<Database>();
        await using var c = await db.OpenAsync(CancellationToken.None);
        await using var command = c.Connection.CreateCommand();
        command.CommandText = $"SELECT m.created_at, h.at FROM machines m JOIN state_history h ON h.machine_id = m.id WHERE m.id = {machine.Id}";
        await AssertStoredFormAsync(db, command);
        Assert.True((DateTimeOffset.UtcNow - machine.CreatedAt).Duration() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Times_bound_as_parameters_of_single_writes_are_stored_in_the_same_form()
    {
        // A transition binds its time in an anonymous parameter object, where Dapper once bypassed our time handler.
        var machine = await fixture.Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        await fixture.Server.Admin.TransitionAsync(machine.HardwareName, "commission");
        var db = fixture.Server.Services.GetRequiredService<Database>();
        await using var c = await db.OpenAsync(CancellationToken.None);
        await using var command = c.Connection.CreateCommand();
        command.CommandText = $"SELECT m.updated_at, h.at FROM machines m JOIN state_history h ON h.machine_id = m.id WHERE m.id = {machine.Id} AND h.trigger = 'commission'";
        await AssertStoredFormAsync(db, command);
    }

    /// <summary>Every column of the query's first row is a time in the engine's one stored form.</summary>
    private static async Task AssertStoredFormAsync(Database db, System.Data.Common.DbCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        for (var column = 0; column < reader.FieldCount; column++)
        {
            var value = reader.GetValue(column);
            if (db.Engine == Engine.Sqlite)
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", Assert.IsType<string>(value));
            else
                Assert.Equal(DateTimeKind.Utc, Assert.IsType<DateTime>(value).Kind);
        }
    }
}
