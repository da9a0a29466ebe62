using System.Net;
using System.Net.Sockets;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>Our client against our own simulator: the only BMC here that offers suite 17 (ipmi_sim does not). The
/// simulator's suite 17 is checked independently by ipmitool -C 17 in Ingot.Simulator.Tests, so together these show
/// the client's SHA-256 path agrees with a third-party implementation.</summary>
public sealed class ClientAgainstSimulatorTests
{
    [Theory]
    [InlineData(17)]
    [InlineData(3)]
    [InlineData(null)]
    public async Task PowerBootAndInfo_WorkWithEachSuite(int? suite)
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = 1, IpmiBase = IPAddress.Parse("127.0.3.77"), IpmiPort = 0, PortPerBmc = true });
        var ep = fleet.IpmiEndpoints[0];
        var user = SimulatorOptions.DefaultUsers.First(u => u.MaxPrivilege == IpmiPrivilege.Administrator);
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback, AttemptTimeout = TimeSpan.FromSeconds(1), Attempts = 3 });
        await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, user.Name, user.Password) { CipherSuite = suite }, transport);
        await bmc.SendPowerAsync(PowerAction.On);
        Assert.Equal(PowerState.On, await bmc.GetPowerStateAsync());
        await bmc.SetBootDeviceAsync(new BootSettings(BootDevice.Pxe, true, true));
        Assert.Equal(new BootSettings(BootDevice.Pxe, true, true), await bmc.GetBootDeviceAsync());
        var info = await bmc.GetDeviceInfoAsync();
        Assert.Equal(suite ?? 17, int.Parse(info.Details["cipher_suite"]));
    }

    [Fact]
    public async Task Reads_StayAtUserPrivilege_AndTheFirstPowerCommandRaisesTheSession()
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = 1, IpmiBase = IPAddress.Parse("127.0.3.78"), IpmiPort = 0, PortPerBmc = true });
        var ep = fleet.IpmiEndpoints[0];
        var op = SimulatorOptions.DefaultUsers.First(u => u.MaxPrivilege == IpmiPrivilege.Operator);
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        var target = new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, op.Name, op.Password) { Privilege = IpmiPrivilege.Operator };
        await using var session = await IpmiSession.OpenAsync(transport, target);
        Assert.Equal(IpmiPrivilege.User, session.Privilege);
        await session.SendAsync("Get Chassis Status", IpmiCommands.NetFnChassis, IpmiCommands.GetChassisStatus, [], IpmiPrivilege.User);
        Assert.Equal(IpmiPrivilege.User, session.Privilege);
        await session.SendAsync("Chassis Control (on)", IpmiCommands.NetFnChassis, IpmiCommands.ChassisControl, [1], IpmiPrivilege.Operator);
        Assert.Equal(IpmiPrivilege.Operator, session.Privilege);
        Assert.Equal(PowerState.On, fleet.Bmcs[0].Power);
    }

    [Fact]
    public async Task AUserLevelAccount_ReadsPower_ButPowerCommandsAreRefusedAsInsufficientPrivilege()
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = 1, IpmiBase = IPAddress.Parse("127.0.3.79"), IpmiPort = 0, PortPerBmc = true });
        var ep = fleet.IpmiEndpoints[0];
        var user = SimulatorOptions.DefaultUsers.First(u => u.MaxPrivilege == IpmiPrivilege.User);
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, user.Name, user.Password) { Privilege = IpmiPrivilege.User }, transport);
        Assert.Equal(PowerState.Off, await bmc.GetPowerStateAsync());
        var e = await Assert.ThrowsAsync<BmcCommandRejectedException>(() => bmc.SendPowerAsync(PowerAction.On));
        Assert.Equal(CompletionCodes.InsufficientPrivilege, e.CompletionCode);
        Assert.Equal(PowerState.Off, fleet.Bmcs[0].Power);
    }

    /// <summary>Issue 11 E.6: a target that names no privilege asks for what its commands need — Operator, the most any
    /// command of this driver needs, and User for the reads of an account that has no more.</summary>
    [Theory]
    [InlineData("operator", "operpass", true)]
    [InlineData("admin", "password", true)]
    [InlineData("user", "userpass", false)]
    public async Task WithoutAPrivilege_EachAccountGetsWhatItsCommandsNeed(string name, string password, bool controlsPower)
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = 1, IpmiBase = IPAddress.Parse("127.0.3.90"), IpmiPort = 0, PortPerBmc = true });
        var ep = fleet.IpmiEndpoints[0];
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, name, password), transport);
        Assert.Equal(PowerState.Off, await bmc.GetPowerStateAsync());
        if (controlsPower)
        {
            await bmc.SendPowerAsync(PowerAction.On);
            Assert.Equal(PowerState.On, fleet.Bmcs[0].Power);
        }
        else
        {
            var e = await Assert.ThrowsAsync<BmcCommandRejectedException>(() => bmc.SendPowerAsync(PowerAction.On));
            Assert.Equal(CompletionCodes.InsufficientPrivilege, e.CompletionCode);
        }
    }

    [Fact]
    public async Task ASecondSession_ToAKnownBmc_SkipsTheChannelCapabilitiesRoundTrip()
    {
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions { Count = 1, IpmiBase = IPAddress.Parse("127.0.3.80"), IpmiPort = 0, PortPerBmc = true });
        await using var relay = new CountingRelay(fleet.IpmiEndpoints[0]);
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback });
        var target = new BmcTarget("ipmi", "127.0.0.1", relay.Port, "admin", "password");
        for (var i = 0; i < 2; i++)
        {
            await using var bmc = new IpmiBmc(target, transport);
            Assert.Equal(PowerState.Off, await bmc.GetPowerStateAsync());
        }
        // IPMI 1.5 framing carries only Get Channel Authentication Capabilities: once, for the first session.
        Assert.Equal(1, relay.Ipmi15Requests);
        // Open Session, RAKP 1, RAKP 3, Get Chassis Status, Close Session per session; no Set Session Privilege Level.
        Assert.Equal(10, relay.RmcpPlusRequests);
    }

    /// <summary>A UDP relay on 127.0.0.1 that forwards every datagram to the BMC and counts the requests by framing.</summary>
    private sealed class CountingRelay : IAsyncDisposable
    {
        private readonly UdpClient front = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly UdpClient back = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource stop = new();
        private readonly Task forward, backward;
        private IPEndPoint? client;
        private int ipmi15, rmcpPlus;

        public CountingRelay(IPEndPoint bmc)
        {
            forward = Task.Run(async () =>
            {
                while (true)
                {
                    var r = await front.ReceiveAsync(stop.Token);
                    client = r.RemoteEndPoint;
                    Interlocked.Increment(ref r.Buffer[4] == 0x06 ? ref rmcpPlus : ref ipmi15); // byte 4: authentication type, 6 = RMCP+
                    await back.SendAsync(r.Buffer, bmc, stop.Token);
                }
            });
            backward = Task.Run(async () =>
            {
                while (true)
                {
                    var r = await back.ReceiveAsync(stop.Token);
                    if (client is { } c) await front.SendAsync(r.Buffer, c, stop.Token);
                }
            });
        }

        public int Port => ((IPEndPoint)front.Client.LocalEndPoint!).Port;
        public int Ipmi15Requests => Volatile.Read(ref ipmi15);
        public int RmcpPlusRequests => Volatile.Read(ref rmcpPlus);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try { await Task.WhenAll(forward, backward); } catch (OperationCanceledException) { }
            front.Dispose();
            back.Dispose();
        }
    }

    [Fact]
    public async Task AThousandBmcs_AtOnce_OverFourSockets()
    {
        const int count = 1000;
        await using var fleet = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            Count = count, IpmiBase = IPAddress.Parse("127.0.3.1"), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
        });
        // What is tested is scale (1,000 sessions over 4 sockets), not speed: a CI machine busy with other test
        // assemblies may leave a handshake unanswered for seconds, so attempts are long and many.
        await using var transport = new IpmiTransport(new IpmiClientOptions
        {
            LocalAddress = IPAddress.Loopback, SocketCount = 4, AttemptTimeout = TimeSpan.FromSeconds(3), Attempts = 5,
        });
        var calls = fleet.IpmiEndpoints.Select(async ep =>
        {
            await using var bmc = new IpmiBmc(new BmcTarget("ipmi", ep.Address.ToString(), ep.Port, "admin", "password"), transport);
            return await bmc.GetPowerStateAsync();
        });
        var states = await Task.WhenAll(calls);
        Assert.All(states, s => Assert.Equal(PowerState.On, s));
        Assert.Equal(0, transport.ActiveRoutes);
    }
}
