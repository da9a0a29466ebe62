using Ingot.Server.Tests.Jobs;

namespace Ingot.Tests.Commands.Jobs;

/// <summary>A server that runs job workers, and simulated IPMI BMCs for its machines: each test takes machines
/// of its own, each with a BMC no other test touches, so their power counters are the test's alone.
/// 127.0.5.x is this folder's address range; 24 BMCs are enough for the machines one class creates.</summary>
public sealed class JobServerFixture() : SimulatedFleetServer("127.0.5.1", 24);
