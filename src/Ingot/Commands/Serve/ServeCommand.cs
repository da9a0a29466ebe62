using System.CommandLine;
using Ingot.Server.Api;
using Ingot.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Ingot.Commands.Serve;

/// <summary>`ingot serve`: runs the server until interrupted.</summary>
public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<string>("--data") { Description = "Data directory (SQLite file, admin token, secret key). Env: INGOT_DATA. Default ./.ingot" };
        var urls = new Option<string[]>("--urls") { Description = "Address(es) to listen on. Env: INGOT_URLS. Default http://127.0.0.1:7420", AllowMultipleArgumentsPerToken = true };
        var database = new Option<string>("--database") { Description = "PostgreSQL connection string or postgres:// URL; SQLite when absent. Env: INGOT_DATABASE" };

        var command = new Command("serve", "Run the Ingot server (API) on SQLite, or on PostgreSQL with --database.");
        command.Options.Add(data);
        command.Options.Add(urls);
        command.Options.Add(database);
        command.SetAction(async (parse, ct) =>
        {
            var settings = Settings(context, parse.GetValue(data), parse.GetValue(urls), parse.GetValue(database));
            await using var app = await ServerHost.BuildAsync(settings, ct: ct);
            await app.StartAsync(ct);
            await context.Out.WriteLineAsync($"Ingot serving {string.Join(", ", settings.Urls)} (data: {Path.GetFullPath(settings.DataDirectory)})");
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { /* Ctrl-C or SIGTERM: stop gracefully below */ }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <summary>Flags win over INGOT_* variables, which win over defaults.</summary>
    public static ServerSettings Settings(CliContext context, string? data, string[]? urls, string? database)
    {
        var defaults = new ServerSettings();
        var envUrls = context.Environment("INGOT_URLS")?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new ServerSettings
        {
            DataDirectory = Pick(data, context.Environment("INGOT_DATA")) ?? defaults.DataDirectory,
            Urls = urls is { Length: > 0 } ? urls : envUrls is { Length: > 0 } ? envUrls : defaults.Urls,
            Database = Pick(database, context.Environment("INGOT_DATABASE")),
            AdminToken = Pick(context.Environment("INGOT_ADMIN_TOKEN")),
            SecretKey = Pick(context.Environment("INGOT_SECRET_KEY")),
            ImportMaxBytes = long.TryParse(context.Environment("INGOT_IMPORT_MAX_BYTES"), out var max) && max > 0 ? max : defaults.ImportMaxBytes,
            Jobs = JobEnvironment.Read(context.Environment),
            DiscoveryBmc = new(Pick(context.Environment("INGOT_DISCOVERY_BMC_USER")), Pick(context.Environment("INGOT_DISCOVERY_BMC_PASSWORD"))),
        };
    }

    private static string? Pick(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
