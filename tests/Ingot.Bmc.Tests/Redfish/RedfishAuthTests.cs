using Ingot.Simulator.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

public sealed class RedfishAuthTests
{
    [Fact]
    public async Task A_session_is_used_when_offered_and_deleted_on_dispose()
    {
        await using var sim = await SimRedfish.StartAsync();
        await using (var bmc = sim.Client())
        {
            await bmc.GetPowerStateAsync();
            await bmc.SendPowerAsync(PowerAction.On);
            Assert.Equal(1, sim.State.SessionsCreated);
            Assert.Equal(1, sim.State.OpenSessions);
        }
        Assert.True(sim.State.TokenRequests >= 3, $"token requests: {sim.State.TokenRequests}");
        Assert.Equal(0, sim.State.BasicRequests);
        Assert.Equal(1, sim.State.SessionsDeleted);
        Assert.Equal(0, sim.State.OpenSessions);
    }

    [Fact]
    public async Task Basic_auth_is_used_when_the_service_has_no_sessions()
    {
        await using var sim = await SimRedfish.StartAsync(profile: new RedfishProfile { Sessions = false });
        await using var bmc = sim.Client();
        await bmc.SendPowerAsync(PowerAction.On);
        Assert.Equal(PowerState.On, sim.Bmc.Power);
        Assert.Equal(0, sim.State.SessionsCreated);
        Assert.Equal(0, sim.State.TokenRequests);
        Assert.True(sim.State.BasicRequests >= 2);
    }

    [Fact]
    public async Task An_expired_session_is_renewed_once()
    {
        await using var sim = await SimRedfish.StartAsync();
        await using var bmc = sim.Client();
        await bmc.GetPowerStateAsync();
        sim.State.ExpireSessions();
        Assert.Equal(PowerState.Off, await bmc.GetPowerStateAsync());
        Assert.Equal(2, sim.State.SessionsCreated);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_wrong_password_is_an_authentication_error_naming_the_bmc(bool sessions)
    {
        await using var sim = await SimRedfish.StartAsync(profile: new RedfishProfile { Sessions = sessions });
        await using var bmc = sim.Client(password: "wrong");
        var e = await Assert.ThrowsAsync<BmcAuthenticationException>(() => bmc.GetPowerStateAsync());
        Assert.Contains(sim.Target().Name, e.Message);
        Assert.Contains("'admin'", e.Message);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task The_wrong_credentials_fault_refuses_the_right_password()
    {
        await using var sim = await SimRedfish.StartAsync();
        sim.Bmc.Faults = new() { WrongCredentials = true };
        await using var bmc = sim.Client();
        await Assert.ThrowsAsync<BmcAuthenticationException>(() => bmc.GetPowerStateAsync());
    }
}
