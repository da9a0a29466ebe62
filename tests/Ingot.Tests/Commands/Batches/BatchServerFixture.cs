using Ingot.Server.Tests.Jobs;

namespace Ingot.Tests.Commands.Batches;

/// <summary>A server with job workers and simulated IPMI BMCs for the batch verbs' tests: 127.0.10.x is this
/// folder's address range (JobServerFixture's 24 BMCs are its own class's); 20 BMCs cover the machines one class creates.</summary>
public sealed class BatchServerFixture() : SimulatedFleetServer("127.0.10.1", 20);
