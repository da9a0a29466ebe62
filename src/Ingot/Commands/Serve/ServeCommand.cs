using System.CommandLine;
using Ingot.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Ingot.Commands.Serve;

/// <summary>`ingot serve`: runs the server until interrupted. Every setting of the server is a flag here and an INGOT_*
/// variable, both made from the one table (ServerOptions.All); --print-config shows what a start would use.</summary>
public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("serve", "Run the Ingot server (API) on SQLite, or on PostgreSQL with --database.");
        var flags = AddFlags(command);
        var print = new Option<bool>("--print-config") { Description = "Print every setting with its value and where it came from (secrets hidden), and exit." };
        command.Options.Add(print);
        command.SetAction(async (parse, ct) =>
        {
            if (!TryRead(context, Values(parse, flags), null, out var settings, out var sources)) return UsageException.ExitCode;
            if (parse.GetValue(print))
            {
                await PrintAsync(context, sources);
                return 0;
            }
            await using var app = await TryBuildAsync(context, settings, null, ct);
            if (app is null || !await TryStartAsync(context, app, settings, ct)) return Failures.ServerError;
            await context.Out.WriteLineAsync($"Ingot serving {string.Join(", ", settings.Urls)} (data: {Path.GetFullPath(settings.DataDirectory)})");
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { /* Ctrl-C or SIGTERM: stop gracefully below */ }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>One flag per server setting, named and described by its table row.</summary>
    public static IReadOnlyDictionary<string, Option<string>> AddFlags(Command command, IReadOnlySet<string>? except = null)
    {
        var flags = new Dictionary<string, Option<string>>();
        foreach (var option in ServerOptions.All.Where(o => except?.Contains(o.Name) != true))
        {
            var flag = new Option<string>(option.Flag) { Description = $"{option.Doc} Env: {option.Variable}." };
            command.Options.Add(flag);
            flags[option.Name] = flag;
        }
        return flags;
    }

    public static Dictionary<string, string?> Values(ParseResult parse, IReadOnlyDictionary<string, Option<string>> flags) =>
        flags.ToDictionary(f => f.Key, f => parse.GetValue(f.Value));

    /// <summary>Flags win over INGOT_* variables, which win over defaults. A bad value is reported on stderr, every one of
    /// them with what it accepts, and the server does not start.</summary>
    public static bool TryRead(CliContext context, IReadOnlyDictionary<string, string?> flags, ServerSettings? start,
                               out ServerSettings settings, out IReadOnlyList<ServerOptions.Source> sources)
    {
        try
        {
            (settings, sources) = ServerOptions.Read(flags, context.Environment, start);
            return true;
        }
        catch (ServerOptionsException e)
        {
            foreach (var error in e.Errors) context.Error.WriteLine($"error: {error}");
            context.Error.WriteLine("The server did not start; 'ingot serve --help' lists every setting.");
            (settings, sources) = (null!, []);
            return false;
        }
    }

    /// <summary>Builds the server; a SQLite database that another server holds is one line on stderr, not a stack trace.</summary>
    public static async Task<WebApplication?> TryBuildAsync(CliContext context, ServerSettings settings,
                                                            Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging, CancellationToken ct)
    {
        try
        {
            // Before the data directory is made or migrated: a taken address must leave nothing behind (issue 11 F.2).
            foreach (var url in settings.Urls) Probe(url);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            await ListenErrorAsync(context, settings, e);
            return null;
        }
        try
        {
            return await ServerHost.BuildAsync(settings, logging, ct);
        }
        catch (Ingot.Server.Data.DatabaseInUseException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}; stop the other server, or give this one another --data directory.");
            return null;
        }
        catch (Ingot.Server.Data.SecretKeyMismatchException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}.");
            return null;
        }
    }

    /// <summary>Starts listening; an address that is taken or not this machine's is one line on stderr, not a stack trace.</summary>
    public static async Task<bool> TryStartAsync(CliContext context, WebApplication app, ServerSettings settings, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct);
            return true;
        }
        catch (IOException e)
        {
            // Taken between the probe and now, or a name Kestrel resolved: the host has logged it too.
            await ListenErrorAsync(context, settings, e);
            return false;
        }
    }

    private static Task ListenErrorAsync(CliContext context, ServerSettings settings, Exception e)
    {
        var inUse = e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException
                    || e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse };
        var reason = inUse ? "the address is in use (another ingot serve or demo?)" : e.InnerException?.Message ?? e.Message;
        return context.Error.WriteLineAsync($"error: cannot listen on {string.Join(", ", settings.Urls)}: {reason}; choose another address with --urls.");
    }

    /// <summary>Binds and releases a URL's address when it names an IP and a port; a name or port 0 is left to Kestrel.</summary>
    private static void Probe(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port <= 0 || !System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)) return;
        var probe = new System.Net.Sockets.TcpListener(ip, uri.Port);
        probe.Start();
        probe.Stop();
    }

    private static async Task PrintAsync(CliContext context, IReadOnlyList<ServerOptions.Source> sources)
    {
        var nameWidth = sources.Max(s => s.Option.Name.Length);
        var valueWidth = Math.Min(48, sources.Max(s => ServerOptions.Shown(s).Length));
        await context.Out.WriteLineAsync($"{"SETTING".PadRight(nameWidth)}  {"VALUE".PadRight(valueWidth)}  SOURCE");
        foreach (var source in sources)
            await context.Out.WriteLineAsync($"{source.Option.Name.PadRight(nameWidth)}  {ServerOptions.Shown(source).PadRight(valueWidth)}  {source.From}");
    }
}
