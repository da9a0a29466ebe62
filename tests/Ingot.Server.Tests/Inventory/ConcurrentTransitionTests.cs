using Ingot.Server.Api;
using Ingot.Client;
using Ingot.Server.Inventory;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

/// <summary>Eight clients fire triggers at one machine at once. Whatever interleaving the database
/// allows, every accepted trigger must be legal from the state it actually found, and the history must
/// be one unbroken chain that ends in the machine's current state.</summary>
public sealed class ConcurrentTransitionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] Triggers =
        ["commission", "allocate", "install", "finish_install", "recycle", "finish_recycle", "reimage", "fail", "repair"];

    [Fact]
    public async Task Eight_clients_firing_triggers_give_only_legal_outcomes_and_a_consistent_history()
    {
        var machine = await fixture.Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        var accepted = 0;
        var refused = 0;
        var clients = Enumerable.Range(0, 8).Select(async worker =>
        {
            var client = fixture.Server.Client(fixture.Server.AdminToken);
            var random = new Random(worker);
            for (var i = 0; i < 25; i++)
            {
                try
                {
                    await client.TransitionAsync(machine.HardwareName, Triggers[random.Next(Triggers.Length)], $"worker {worker}");
                    Interlocked.Increment(ref accepted);
                }
                catch (IngotApiException e) when (e.Status == 409)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });
        await Task.WhenAll(clients);

        var history = await fixture.Server.Admin.HistoryAsync(machine.HardwareName);
        var final = await fixture.Server.Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(200, accepted + refused);
        Assert.True(accepted > 10, $"only {accepted} triggers were accepted; the test did not exercise much");
        Assert.Equal(accepted + 1, history.Count);
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1].To, history[i].From);
            Assert.True(Wire.TryParse<Trigger>(history[i].Trigger, out var trigger));
            Assert.True(Lifecycle.TryNext(history[i].From!.Value, trigger, out var to), $"illegal row {i}: {history[i]}");
            Assert.Equal(to, history[i].To);
        }
        Assert.Equal(history[^1].To, final.State);
    }
}
