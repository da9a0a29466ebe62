using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Labs;

namespace Ingot.Bmc.Tests.Ipmi;

/// <summary>Three OpenIPMI <c>ipmi_sim</c> BMCs (started by <see cref="IpmiSimProcesses"/>, shared with the benchmark),
/// started once for the whole test run (xUnit collection fixture) and killed at its end. A missing ipmi_sim fails the
/// tests: test.sh installs it (package openipmi).</summary>
public sealed class IpmiSimFleet : IAsyncLifetime
{
    public const string AdminUser = IpmiSimProcesses.AdminUser, AdminPassword = IpmiSimProcesses.AdminPassword;
    public const string OperatorUser = IpmiSimProcesses.OperatorUser, OperatorPassword = IpmiSimProcesses.OperatorPassword;
    public const string Guid = IpmiSimProcesses.Guid;
    private const int Count = 3;

    private IpmiSimProcesses? processes;

    /// <summary>127.0.2.201…: away from the 127.0.2.1–50 the benchmark's fleet uses.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; } = [.. Enumerable.Range(201, Count).Select(i => IPAddress.Parse($"127.0.2.{i}"))];

    /// <summary>A loopback address where nothing listens.</summary>
    public static IPAddress Nowhere { get; } = IPAddress.Parse("127.0.2.250");

    /// <summary>ipmi_sim answers in well under a millisecond when idle, but it forks a shell script for power
    /// reads, and on a loaded 2-core CI machine a 400 ms attempt was seen to expire: 1 s keeps failure tests short
    /// and the others steady.</summary>
    public IpmiClientOptions Options { get; } = new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(1), Attempts = 3, LocalAddress = IPAddress.Loopback,
    };

    public IpmiTransport Transport { get; private set; } = null!;

    private IpmiSimProcesses Processes => processes ?? throw new InvalidOperationException("the ipmi_sim fleet is not started");

    public BmcTarget Target(int index, string user = AdminUser, string password = AdminPassword) =>
        new("ipmi", Addresses[index].ToString(), 623, user, password);

    public string StateFile(int index, string name) => Processes.StateFile(index, name);

    public string ReadState(int index, string name) => Processes.ReadState(index, name);

    public async Task InitializeAsync()
    {
        processes = await IpmiSimProcesses.StartAsync(Addresses);
        Transport = new IpmiTransport(Options);
        for (var i = 0; i < Count; i++) await WaitUntilAnsweringAsync(i);
    }

    /// <summary>Until a full session works: ipmi_sim needs a moment after start before it answers.</summary>
    private async Task WaitUntilAnsweringAsync(int index)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            Processes.ThrowIfExited(index);
            try
            {
                await using var session = await IpmiSession.OpenAsync(Transport, Target(index));
                return;
            }
            catch (BmcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Transport is not null) await Transport.DisposeAsync();
        if (processes is not null) await processes.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class IpmiSimCollection : ICollectionFixture<IpmiSimFleet>
{
    public const string Name = "ipmi_sim";
}
