using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>The simulator's raw JSON carries the standard properties every Redfish client relies on, so
/// clients other than ours (sushy, the DMTF tools) can drive it too.</summary>
public sealed class RedfishSimulatorJsonTests
{
    [Fact]
    public async Task Service_root_is_readable_without_credentials_and_links_systems_and_sessions()
    {
        await using var sim = await SimRedfish.StartAsync();
        using var http = Http(sim, authenticate: false);
        var root = await GetAsync(http, "/redfish/v1/");
        Assert.Equal("/redfish/v1/", (string?)root["@odata.id"]);
        Assert.StartsWith("#ServiceRoot.", (string?)root["@odata.type"]);
        Assert.Equal("RootService", (string?)root["Id"]);
        Assert.Equal("/redfish/v1/Systems", (string?)root["Systems"]!["@odata.id"]);
        Assert.Equal("/redfish/v1/SessionService/Sessions", (string?)root["Links"]!["Sessions"]!["@odata.id"]);
    }

    [Fact]
    public async Task Computer_system_has_power_state_boot_and_the_reset_action()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.On);
        using var http = Http(sim, authenticate: true);
        var members = (JsonArray)(await GetAsync(http, "/redfish/v1/Systems"))["Members"]!;
        var system = await GetAsync(http, (string)members[0]!["@odata.id"]!);
        Assert.Equal("/redfish/v1/Systems/1", (string?)system["@odata.id"]);
        Assert.StartsWith("#ComputerSystem.v1_", (string?)system["@odata.type"]);
        Assert.Equal("1", (string?)system["Id"]);
        Assert.Equal(sim.Bmc.Name, (string?)system["Name"]);
        Assert.Equal("On", (string?)system["PowerState"]);
        Assert.Equal("None", (string?)system["Boot"]!["BootSourceOverrideTarget"]);
        Assert.Contains("Pxe", ((JsonArray)system["Boot"]!["BootSourceOverrideTarget@Redfish.AllowableValues"]!).Select(v => (string?)v));
        var reset = system["Actions"]!["#ComputerSystem.Reset"]!;
        Assert.Equal("/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", (string?)reset["target"]);
        Assert.Contains("PowerCycle", ((JsonArray)reset["ResetType@Redfish.AllowableValues"]!).Select(v => (string?)v));
    }

    [Fact]
    public async Task Session_login_returns_a_token_and_location_and_refuses_a_wrong_password()
    {
        await using var sim = await SimRedfish.StartAsync();
        using var http = Http(sim, authenticate: false);
        var login = new StringContent("""{"UserName":"admin","Password":"password"}""", Encoding.UTF8, "application/json");
        using var created = await http.PostAsync("/redfish/v1/SessionService/Sessions", login);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotEmpty(created.Headers.GetValues("X-Auth-Token").Single());
        Assert.StartsWith("/redfish/v1/SessionService/Sessions/", created.Headers.Location!.ToString());
        var wrong = new StringContent("""{"UserName":"admin","Password":"nope"}""", Encoding.UTF8, "application/json");
        using var refused = await http.PostAsync("/redfish/v1/SessionService/Sessions", wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!;
        Assert.NotNull((string?)error["message"]);
    }

    private static HttpClient Http(SimRedfish sim, bool authenticate)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{sim.Endpoint}") };
        if (authenticate)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:password"u8.ToArray()));
        return http;
    }

    private static async Task<JsonObject> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
