using Ingot.Bmc.Ipmi;

namespace Ingot.Simulator.Ipmi;

/// <summary>The answer to one IPMI command: a completion code and the response data after it.</summary>
internal readonly record struct CommandResult(byte CompletionCode, byte[] Data)
{
    public static CommandResult Ok(params byte[] data) => new(CompletionCodes.Ok, data);
    public static CommandResult Fail(byte completionCode) => new(completionCode, []);
}
