using System.CommandLine;
using Ingot.Bmc;

namespace Ingot.Commands.Bmc;

/// <summary>How a `bmc` verb reaches one BMC directly (no Ingot server involved). The password never goes
/// on the command line, where the process list would show it: a file, stdin, or an environment variable.</summary>
internal sealed class BmcOptions
{
    public const string PasswordVariable = "INGOT_BMC_PASSWORD";

    public Option<string> Driver { get; } = new("--driver")
    {
        Description = "BMC protocol: ipmi (IPMI 2.0 over LAN), redfish, or sim (the simulator's IPMI). Default ipmi",
        DefaultValueFactory = _ => BmcDrivers.Ipmi,
    };

    public Option<string> Host { get; } = new("--host") { Description = "The BMC's address or host name.", Required = true };

    public Option<int?> Port { get; } = new("--port") { Description = "Default 623 (ipmi), 443 (redfish, https) or 80 (redfish, http)" };

    public Option<string?> User { get; } = new("--user", "-U") { Description = "BMC user name." };

    public Option<string?> PasswordFile { get; } = new("--password-file")
    {
        Description = $"File holding the BMC password ('-' reads stdin). Else env {PasswordVariable}.",
        HelpName = "path",
    };

    public Option<bool> Insecure { get; } = new("--insecure")
    {
        Description = "Redfish: accept a self-signed or unverifiable TLS certificate for this BMC.",
    };

    public Option<string> Scheme { get; } = new("--scheme") { Description = "Redfish: https (default) or http (simulators).", DefaultValueFactory = _ => "https" };

    public Option<int?> CipherSuite { get; } = new("--cipher-suite") { Description = "IPMI: cipher suite 3 or 17. Default: the strongest the BMC offers." };

    public Option<string?> Privilege { get; } = new("--privilege")
    {
        Description = "IPMI: the most the session may use: user, operator or administrator. Default: what the command needs (operator; user for reads).",
    };

    public Option<string> Output { get; } = ClientOptions.NewOutputOption();

    private BmcOptions()
    {
        Driver.AcceptOnlyFromAmong([.. BmcDrivers.Names]);
        Scheme.AcceptOnlyFromAmong("https", "http");
        Privilege.AcceptOnlyFromAmong("user", "operator", "administrator");
        CipherSuite.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } suite and not (3 or 17)) r.AddError($"Cipher suite {suite} is not supported; use 3 or 17.");
        });
    }

    public static BmcOptions AddTo(Command command)
    {
        var options = new BmcOptions();
        foreach (var option in new Option[] { options.Driver, options.Host, options.Port, options.User, options.PasswordFile,
                     options.Insecure, options.Scheme, options.CipherSuite, options.Privilege, options.Output })
            command.Options.Add(option);
        return options;
    }

    public OutputFormat Format(ParseResult parse) => ClientOptions.Format(parse, Output);

    /// <summary>The target the flags describe, the password read from its file or the environment.</summary>
    public async Task<BmcTarget> TargetAsync(CliContext context, ParseResult parse, CancellationToken ct)
    {
        var driver = parse.GetValue(Driver)!;
        var scheme = parse.GetValue(Scheme)!;
        var user = parse.GetValue(User);
        var password = await PasswordAsync(context, parse, ct);
        if (user is not null && password is null)
            throw new UsageException($"No BMC password: pass --password-file PATH (or '-' for stdin), or set {PasswordVariable}.");
        return new BmcTarget(driver, parse.GetValue(Host)!, parse.GetValue(Port) ?? BmcDrivers.DefaultPort(driver, scheme), user, password)
        {
            Scheme = scheme,
            InsecureTls = parse.GetValue(Insecure),
            CipherSuite = parse.GetValue(CipherSuite),
            Privilege = parse.GetValue(Privilege) switch
            {
                "user" => IpmiPrivilege.User,
                "operator" => IpmiPrivilege.Operator,
                "administrator" => IpmiPrivilege.Administrator,
                _ => null,
            },
        };
    }

    private async Task<string?> PasswordAsync(CliContext context, ParseResult parse, CancellationToken ct)
    {
        if (parse.GetValue(PasswordFile) is { } path) return await TextInput.ReadSecretAsync(context, path, "BMC password", ct);
        var fromEnvironment = context.Environment(PasswordVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment;
    }
}
