using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Inventory;
using Ingot.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Ingot.Server.Tests.Inventory;

/// <summary>POST /machines/import with Testdata/import/mixed.csv: one row per kind of mistake, three good
/// rows (one with quoted commas, doubled quotes and a line break inside a field), against a fleet that
/// already holds a serial, a MAC and a hostname the file repeats.</summary>
public sealed class MachineImportTests(MachineFixture fixture) : IClassFixture<MachineFixture>
{
    private IngotClient Admin => fixture.Admin;

    /// <summary>Substrings of the reason expected on each bad line of mixed.csv ({p}, {mac} and {hw} filled in).</summary>
    private static readonly Dictionary<int, string[]> BadLines = new()
    {
        [4] = ["serial is required"],
        [5] = ["macs: 'zz:zz' is not a MAC address"],
        [6] = ["unit must be between 1 and 100, not 500"],
        [7] = ["site: no site 'mars' exists"],
        [8] = ["rack: no rack 'r99' in site"],
        [9] = ["sku: no SKU 'nosuch' exists"],
        [10] = ["role: no role 'nosuchrole' exists"],
        [11] = ["serial '{P}-GOOD1' is already on line 2"],
        [12] = ["MAC {mac}:00:01 is already on line 2"],
        [13] = ["serial '{P}-TAKEN' is already in the fleet, as hw-{p}-taken"],
        [14] = ["MAC {mac}:ff:01 is already in the fleet, on hw-"],
        [15] = ["hostname 'db-{p}.example.com' is already on line 3"],
        [16] = ["hostname 'fleet-{p}.example.com' is already taken by hw-"],
        [17] = ["it has 3 fields but the header has 16 columns"],
        [20] = ["unit: 'abc' is not a whole number; site: no site 'mars' exists; macs: 'zz' is not a MAC address"],
    };

    private sealed record MixedFile(string Text, string Prefix, string Mac)
    {
        public string Fill(string text) => text.Replace("{P}", Prefix.ToUpperInvariant()).Replace("{p}", Prefix).Replace("{mac}", Mac);
        public string Hw(string suffix) => $"hw-{Prefix}-{suffix.ToLowerInvariant()}";
    }

    /// <summary>mixed.csv with names unique to this test, and the three machines already in the fleet that it clashes with.</summary>
    private async Task<MixedFile> MixedAsync()
    {
        var prefix = "imp" + Guid.NewGuid().ToString("N")[..8];
        var bytes = Guid.NewGuid().ToByteArray();
        var (x, y) = (bytes[0].ToString("x2"), bytes[1].ToString("x2"));
        var golden = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Testdata", "import", "mixed.csv"));
        var text = golden.Replace("\r\n", "\n").Replace("{p}", prefix).Replace("{x}", x).Replace("{y}", y)
            .Replace("{X}", x.ToUpperInvariant()).Replace("{Y}", y.ToUpperInvariant())
            .Replace("{site}", fixture.Site).Replace("{sku}", fixture.Sku).Replace("{role}", fixture.Role);
        await Admin.CreateMachineAsync(new MachineCreate($"{prefix}-TAKEN"));
        await Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Nics: [new NicInput($"52:54:{x}:{y}:ff:01")]));
        await Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Hostname: $"fleet-{prefix}.example.com", Role: fixture.Role));
        return new MixedFile(text, prefix, $"52:54:{x}:{y}");
    }

    private static void AssertMixedReport(MixedFile file, ImportResult result, bool dryRun)
    {
        Assert.Equal(dryRun, result.DryRun);
        Assert.Equal(3, result.Accepted);
        Assert.Equal([file.Hw("GOOD1"), file.Hw("GOOD2"), file.Hw("GOOD3")], result.HardwareNames);
        Assert.Equal(BadLines.Count, result.Rejected);
        Assert.Equal(BadLines.Keys.Order(), result.Errors.Select(e => e.Line));
        foreach (var error in result.Errors)
        {
            foreach (var expected in BadLines[error.Line]) Assert.Contains(file.Fill(expected), error.Reason);
            Assert.EndsWith(".", error.Reason);
        }
        Assert.Null(result.Errors.Single(e => e.Line == 4).Serial);
        Assert.Equal($"{file.Prefix}-GOOD1".ToUpperInvariant(), result.Errors.Single(e => e.Line == 11).Serial);
        Assert.Equal($"{file.Prefix}-FIELDS".ToUpperInvariant(), result.Errors.Single(e => e.Line == 17).Serial);
    }

    [Fact]
    public async Task A_mixed_file_keeps_the_good_rows_and_reports_each_bad_line_with_its_reasons()
    {
        var file = await MixedAsync();
        var result = await Admin.ImportMachinesAsync(file.Text);
        AssertMixedReport(file, result, dryRun: false);
        Assert.Equal(
            "unit: 'abc' is not a whole number; site: no site 'mars' exists; " +
            "macs: 'zz' is not a MAC address (expected six hex pairs, e.g. 52:54:00:12:34:56).",
            result.Errors.Single(e => e.Line == 20).Reason);

        var good1 = await Admin.GetMachineAsync(file.Hw("GOOD1"));
        Assert.Equal((MachineState.New, "Dell", "R650", fixture.Site, "r01", 7, fixture.Sku),
            (good1.State, good1.Vendor, good1.Model, good1.Site, good1.Rack, good1.Unit, good1.Sku));
        Assert.Equal([file.Mac + ":00:01", file.Mac + ":00:02"], good1.Nics.Select(n => n.Mac));
        Assert.Equal(["gpu", "rack-top"], good1.Tags);
        Assert.Equal(new BmcView("ipmi", "10.9.0.1", 623, "root", HasPassword: true), good1.Bmc);

        var good2 = await Admin.GetMachineAsync(file.Hw("GOOD2"));
        Assert.Equal(("DL380, Gen10", $"db-{file.Prefix}.example.com", fixture.Role), (good2.Model, good2.Hostname, good2.Role));
        Assert.Equal([file.Mac + ":00:03"], good2.Nics.Select(n => n.Mac));
        Assert.Equal(["db", "prod"], good2.Tags);
        Assert.Equal(new BmcView("redfish", "10.9.0.2", 8443, "admin", HasPassword: true), good2.Bmc);

        var good3 = await Admin.GetMachineAsync(file.Hw("GOOD3"));
        Assert.Equal(("Super, Micro", "X11 \"Big\"\nmulti-line model"), (good3.Vendor, good3.Model));

        var history = await Admin.HistoryAsync(good1.HardwareName);
        Assert.Equal(("import", "admin"), (history.Single().Trigger, history.Single().Actor));
        using var http = fixture.Server.Http();
        var raw = await http.GetStringAsync($"api/v1/machines/{good1.HardwareName}");
        Assert.DoesNotContain("s3cret", raw);

        foreach (var bad in new[] { "BADMAC", "BADUNIT", "NOSITE", "NORACK", "NOSKU", "NOROLE", "DUPMAC", "FLEETMAC", "HOSTCLASH", "FLEETHOST", "FIELDS", "MULTI" })
            Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync(file.Hw(bad)))).Status);
    }

    [Fact]
    public async Task A_dry_run_reports_the_same_as_the_import_and_writes_nothing()
    {
        var file = await MixedAsync();
        var dry = await Admin.ImportMachinesAsync(file.Text, dryRun: true);
        AssertMixedReport(file, dry, dryRun: true);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync(file.Hw("GOOD1")))).Status);

        var real = await Admin.ImportMachinesAsync(file.Text);
        Assert.Equal(dry.Errors, real.Errors);
        Assert.Equal(dry.HardwareNames, real.HardwareNames);
    }

    [Fact]
    public async Task Importing_the_same_file_again_rejects_every_row_as_already_in_the_fleet()
    {
        var file = await MixedAsync();
        await Admin.ImportMachinesAsync(file.Text);
        var again = await Admin.ImportMachinesAsync(file.Text);

        Assert.Equal((0, 18), (again.Accepted, again.Rejected));
        Assert.Empty(again.HardwareNames);
        Assert.Contains($"serial '{file.Prefix.ToUpperInvariant()}-GOOD1' is already in the fleet, as {file.Hw("GOOD1")}",
            again.Errors.Single(e => e.Line == 2).Reason);
        Assert.Contains($"MAC {file.Mac}:00:03 is already in the fleet, on {file.Hw("GOOD2")}", again.Errors.Single(e => e.Line == 3).Reason);
        Assert.Contains($"hostname 'db-{file.Prefix}.example.com' is already taken by {file.Hw("GOOD2")}", again.Errors.Single(e => e.Line == 3).Reason);
        Assert.Contains("is already in the fleet", again.Errors.Single(e => e.Line == 18).Reason);
    }

    [Fact]
    public async Task CRLF_line_endings_and_a_UTF8_BOM_give_the_same_lines()
    {
        var file = await MixedAsync();
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(file.Text.Replace("\n", "\r\n"))).ToArray();
        using var response = await fixture.Server.PostCsvAsync(new ByteArrayContent(body), "text/csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<ImportResult>(IngotJson.Options))!;
        AssertMixedReport(file, result, dryRun: false);
        // The BOM is not part of the first column's name, nor of the first serial.
        Assert.Equal($"{file.Prefix}-GOOD1".ToUpperInvariant(), (await Admin.GetMachineAsync(file.Hw("GOOD1"))).Serial);
        Assert.Equal("X11 \"Big\"\r\nmulti-line model", (await Admin.GetMachineAsync(file.Hw("GOOD3"))).Model);
    }

    [Fact]
    public async Task Columns_are_matched_in_any_order_and_case()
    {
        var serial = Unique.Serial();
        var mac = Unique.Mac();
        var result = await Admin.ImportMachinesAsync($"Tags, MACS ,SERIAL\n\"a;b\",{mac.ToUpperInvariant()},{serial}\n");
        Assert.Equal((1, 0), (result.Accepted, result.Rejected));
        var machine = await Admin.GetMachineAsync(result.HardwareNames.Single());
        Assert.Equal((serial, mac), (machine.Serial, machine.Nics.Single().Mac));
        Assert.Equal(["a", "b"], machine.Tags);
    }

    [Fact]
    public async Task Broken_quoting_rejects_only_its_row_and_padding_rows_are_ignored()
    {
        var (a, b, c) = (Unique.Serial(), Unique.Serial(), Unique.Serial());
        var result = await Admin.ImportMachinesAsync($"serial,vendor\n{a},Dell\n{b},\"Dell\"x\n,\n{c},\"Quoted \"\"vendor\"\"\"\n");
        Assert.Equal((2, 1), (result.Accepted, result.Rejected));
        Assert.Equal((3, b), (result.Errors.Single().Line, result.Errors.Single().Serial));
        Assert.Contains("text after the closing quote", result.Errors.Single().Reason);
        Assert.Equal("Quoted \"vendor\"", (await Admin.GetMachineAsync("hw-" + c.ToLowerInvariant())).Vendor);
    }

    [Fact]
    public async Task A_file_larger_than_a_chunk_is_checked_and_written_whole()
    {
        var rows = Enumerable.Range(0, 1201).Select(_ => (Serial: Unique.Serial(), Mac: Unique.Mac())).ToList();
        var csv = "serial,macs\n" + string.Concat(rows.Select(r => $"{r.Serial},{r.Mac}\n"));

        var first = await Admin.ImportMachinesAsync(csv);
        Assert.Equal((1201, 0), (first.Accepted, first.Rejected));

        var again = await Admin.ImportMachinesAsync(csv);
        Assert.Equal((0, 1201), (again.Accepted, again.Rejected));
        Assert.All(again.Errors.Zip(rows), pair =>
        {
            Assert.Contains($"serial '{pair.Second.Serial}' is already in the fleet", pair.First.Reason);
            Assert.Contains($"MAC {pair.Second.Mac} is already in the fleet", pair.First.Reason);
        });
    }

    [Fact]
    public async Task A_machine_written_by_someone_else_during_the_import_rejects_only_its_row()
    {
        var (mine, theirs, other) = (Unique.Serial(), Unique.Serial(), Unique.Serial());
        var db = fixture.Server.Services.GetRequiredService<Database>();
        await using var c = await db.OpenAsync(CancellationToken.None);
        await using var tx = await c.Connection.BeginTransactionAsync();
        // A transaction of someone else's, held open: not one of the server's own (those commit when their work returns).
        var theirWrite = new DataContext(c.Connection, tx, db.Engine, CancellationToken.None, ownsConnection: false);
        await fixture.Server.Services.GetRequiredService<MachineWriter>().InsertAsync(theirWrite,
            new MachineDraft(theirs, null, null, null, null, null, null, null, null, [], null, []), "someone", "create", DateTimeOffset.UtcNow);

        var import = Admin.ImportMachinesAsync($"serial\n{mine}\n{theirs}\n{other}\n");
        await UntilBlockedAsync(db);
        await tx.CommitAsync();
        var result = await import;

        Assert.Equal((2, 1), (result.Accepted, result.Rejected));
        Assert.Equal((3, theirs), (result.Errors.Single().Line, result.Errors.Single().Serial));
        // PostgreSQL lets the import check before the other writer commits, so the clash surfaces at insert
        // and the chunk is redone row by row; SQLite makes the import wait for the lock and see the machine.
        Assert.Contains(TestDatabase.IsPostgres ? "during the import" : "already in the fleet", result.Errors.Single().Reason);
    }

    /// <summary>Waits until the import is stuck behind the open transaction: on PostgreSQL, until a session
    /// waits for a lock; SQLite offers no such view, and the import is blocked at BEGIN from its start.</summary>
    private static async Task UntilBlockedAsync(Database db)
    {
        if (!TestDatabase.IsPostgres) { await Task.Delay(300); return; }
        // A connection of its own: inside a transaction, PostgreSQL shows one snapshot of pg_stat_activity.
        await using var c = await db.OpenAsync(CancellationToken.None);
        for (var i = 0; i < 200; i++)
        {
            var waiting = await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if (waiting > 0) return;
            await Task.Delay(50);
        }
        Assert.Fail("The import never waited for the other writer's lock.");
    }
}
