using Ingot.Client;

namespace Ingot.Commands;

/// <summary>What a client verb works with once its options are resolved: a client for the chosen server,
/// the chosen output, and the context (for stdin and files).</summary>
internal sealed record Session(IngotClient Client, Output Output, Connection Connection, CliContext Context);
