using System.CommandLine;
using Ingot.Bmc;

namespace Ingot.Commands.Bmc;

/// <summary>Makes a command a `bmc` verb: adds the BMC options, connects through the driver registry, runs
/// the body, and turns a BMC failure into one line on stderr (exit 1) — the error already names the BMC.</summary>
internal static class BmcAction
{
    public delegate Task<int> Body(IBmc bmc, Output output, ParseResult parse, CancellationToken ct);

    public const int BmcError = 1;

    public static Command SetBmc(this Command command, CliContext context, Body body)
    {
        var options = BmcOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var target = await options.TargetAsync(context, parse, ct);
                await using var bmc = BmcDrivers.Connect(target);
                return await body(bmc, new Output(context, options.Format(parse)), parse, ct);
            }
            catch (UsageException e)
            {
                await FailAsync(context, e.Message);
                return UsageException.ExitCode;
            }
            catch (BmcException e)
            {
                await FailAsync(context, e.Message);
                return BmcError;
            }
        });
        return command;
    }

    /// <summary>The capability <typeparamref name="T"/> of <paramref name="bmc"/>, or a clear refusal.</summary>
    public static T Require<T>(IBmc bmc, string what) where T : class =>
        bmc as T ?? throw new BmcUnsupportedException(bmc.Target.Name, $"the {bmc.Target.Driver} driver cannot {what}");

    // A BMC's own words (a vendor's error text) are printed through the same escaping as the server's.
    private static Task FailAsync(CliContext context, string message) => Failures.WriteAsync(context, $"error: {message}");
}
