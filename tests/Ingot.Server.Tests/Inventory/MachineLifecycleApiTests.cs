using Ingot.Server.Api;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Inventory;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

/// <summary>Every (state, trigger) pair through the real API: legal ones move the machine and write
/// history; illegal ones are a 409 naming the current state and the allowed triggers, and change nothing.</summary>
public sealed class MachineLifecycleApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    /// <summary>A legal path from new to each state.</summary>
    public static readonly Dictionary<MachineState, string[]> PathTo = new()
    {
        [MachineState.New] = [],
        [MachineState.Available] = ["commission"],
        [MachineState.Allocated] = ["commission", "allocate"],
        [MachineState.Installing] = ["commission", "allocate", "install"],
        [MachineState.InUse] = ["commission", "allocate", "install", "finish_install"],
        [MachineState.Recycling] = ["commission", "allocate", "install", "finish_install", "recycle"],
        [MachineState.Broken] = ["fail"],
        [MachineState.Decommissioned] = ["decommission"],
    };

    public static async Task<MachineView> MachineInStateAsync(IngotClient client, MachineState state)
    {
        var machine = await client.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        foreach (var trigger in PathTo[state])
            machine = await client.TransitionAsync(machine.HardwareName, trigger, "test setup");
        Assert.Equal(state, machine.State);
        return machine;
    }

    [Theory]
    [MemberData(nameof(LifecycleTableTests.AllPairs), MemberType = typeof(LifecycleTableTests))]
    public async Task Trigger_from_state_is_applied_or_refused_with_409(MachineState from, Trigger trigger)
    {
        var machine = await MachineInStateAsync(Server.Admin, from);
        using var http = Server.Http();
        var response = await http.PostAsJsonAsync($"api/v1/machines/{machine.Id}/transitions",
            new TransitionRequest(Wire.Name(trigger), "checking the table"), IngotJson.Options);
        var history = await Server.Admin.HistoryAsync(machine.HardwareName);

        if (Lifecycle.TryNext(from, trigger, out var to))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var after = await response.Content.ReadFromJsonAsync<MachineView>(IngotJson.Options);
            Assert.Equal(to, after!.State);
            var last = history[^1];
            Assert.Equal((from, to, Wire.Name(trigger), "admin", "checking the table"), (last.From!.Value, last.To, last.Trigger, last.Actor, last.Reason));
        }
        else
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(Wire.Name(from), problem.GetProperty("current_state").GetString());
            var allowed = problem.GetProperty("allowed_triggers").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Equal(Lifecycle.Allowed(from).Select(Wire.Name), allowed);
            Assert.Contains($"'{Wire.Name(from)}'", problem.GetProperty("detail").GetString());
            Assert.Equal(from, (await Server.Admin.GetMachineAsync(machine.HardwareName)).State);
            Assert.Equal(PathTo[from].Length + 1, history.Count);
        }
    }

    [Fact]
    public async Task Unknown_trigger_is_422_listing_the_triggers()
    {
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial()));
        var error = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.TransitionAsync(machine.HardwareName, "explode"));
        Assert.Equal(422, error.Status);
        Assert.Contains("finish_install", error.Problem.Errors!["trigger"][0]);
    }

    [Fact]
    public async Task History_starts_with_creation_and_records_actor_and_reason()
    {
        var machine = await MachineInStateAsync(Server.Admin, MachineState.Allocated);
        var history = await Server.Admin.HistoryAsync(machine.Id.ToString());
        Assert.Equal(["create", "commission", "allocate"], history.Select(h => h.Trigger));
        Assert.Null(history[0].From);
        Assert.All(history.Skip(1), h => Assert.Equal("test setup", h.Reason));
    }
}
