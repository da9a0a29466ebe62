using OpenTelemetry.Metrics;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Server.Batches;
using Ingot.Server.Capacity;
using Ingot.Server.Cost;
using Ingot.Server.Boot;
using Ingot.Server.Inventory;
using Ingot.Portal;
using Ingot.Server.Jobs;
using Ingot.Server.SelfService;
using Ingot.Server.SelfService.Directory;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ingot.Server.Api;

namespace Ingot.Server.Hosting;

/// <summary>Builds the Ingot web application: storage (migrated), identity, problem details, and every
/// feature's endpoints. The executable and the tests both start servers through here.</summary>
public static class ServerHost
{
    public static async Task<WebApplication> BuildAsync(ServerSettings settings, Action<ILoggingBuilder>? logging = null, CancellationToken ct = default)
    {
        // Settings made in code (tests, the demo) are held to the rules of flags and variables before anything starts.
        ServerOptions.Validate(settings);
        var tls = ServerTls.Load(settings, ServerOptions.Named);
        var builder = WebApplication.CreateSlimBuilder();
        var portalSocket = PortalSocket.PathFor(settings.DataDirectory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listeners.Bind(kestrel, settings.Urls, tls);
            Listeners.BindPortalSocket(kestrel, portalSocket);
        });
        builder.Logging.ClearProviders();
        if (logging is null && settings.LogFormat == "json")
            builder.Logging.AddJsonConsole(o => { o.UseUtcTimestamp = true; o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"; });
        else if (logging is null) builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        else logging(builder.Logging);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Data Protection warns that its keys are stored unencrypted: DataProtectionKeys seals each with the secret key.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);
        builder.Logging.AddRejectionDetails();

        var db = Database.Open(settings.Database, settings.DataDirectory);
        // From a factory, so the container disposes it with the host (and a SQLite server's lock goes with it).
        builder.Services.AddSingleton(_ => db);
        // Ingot's instruments (Ingot.*: jobs, batches, deliveries), ASP.NET Core's http.server.request.duration and the
        // runtime's, exported in Prometheus's text format at /metrics (docs/metrics.md).
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Ingot.*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            .AddPrometheusExporter());
        builder.Services.AddSingleton(settings.Clock);
        builder.Services.AddSingleton<MachineWriter>();
        builder.Services.AddSingleton(new ImportOptions { MaxBytes = settings.ImportMaxBytes });
        builder.Services.AddSingleton(_ => new ImageChecksums(settings.ImageVerifyTimeout));
        var secrets = await SecretBox.LoadAsync(settings.SecretKey, settings.DataDirectory, ct);
        builder.Services.AddSingleton(secrets);
        AddJobs(builder.Services, settings);
        builder.Services.AddSingleton(settings.Retention);
        builder.Services.AddSingleton<Retention>();
        builder.Services.AddHostedService(s => s.GetRequiredService<Retention>());
        builder.Services.AddSingleton(settings.DiscoveryBmc);
        builder.Services.ConfigureHttpJsonOptions(o => IngotJson.Configure(o.SerializerOptions));
        // Bad route values and bodies throw, so Problems can say what was wrong instead of a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddAuthentication(TokenAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        builder.Services.AddOpenApi("v1");
        builder.Services.AddIngotPortal(new PortalOptions { ApiSocket = portalSocket, KeyRing = s => new DataProtectionKeys(s.GetRequiredService<Database>(), secrets) });

        var app = builder.Build();
        if (tls is not null) app.Lifetime.ApplicationStopped.Register(tls.Dispose);
        try
        {
            // Before anything reads or migrates it: a second server on one SQLite file is refused here (Database.HoldAlone).
            db.HoldAlone();
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ingot");
            await Migrator.MigrateAsync(db, log, ct);
            await secrets.CheckAgainstAsync(db, ct);
            await DataProtectionKeys.EnsureKeyAsync(app.Services, db, ct);
            await AdminBootstrap.RunAsync(db, settings.DataDirectory, settings.AdminToken, settings.Clock, log, ct);
            await app.Services.GetRequiredService<DatabaseJobQueue>().TakeBackFromGoneNodesAsync(ct);
        }
        catch
        {
            // A SQLite lock must not outlive a start that failed (the container disposes the database only once resolved).
            await app.DisposeAsync();
            await db.DisposeAsync();
            throw;
        }

        // Before everything: it tells Kestrel's rejections (answered by RejectedRequests) from the requests the app answers.
        app.UseRejectedRequestProblems();
        app.Lifetime.ApplicationStarted.Register(() => PortalSocket.Restrict(portalSocket));
        // One chain, in the API's order; where the portal's pages need other handling (HTML errors, no permission table)
        // the step is branched by path. Authentication and authorization stay on the main chain: in a branch only,
        // WebApplication would add its own, ahead of the audit, and refusals would go unrecorded.
        // Audit first, so it sees the final status of refused and failed requests (see Audit.UseAudit).
        if (settings.LogRequests) app.UseRequestLog();
        app.UseAudit();
        app.UseWhen(context => ApiPaths.Matches(context.Request.Path), api => api.UseIngotProblems());
        app.UseWhen(context => !ApiPaths.Matches(context.Request.Path), portal => portal.UseIngotPortalResponses());
        app.UseStopCancelsRequests();
        app.UseTextDoor();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWhen(context => ApiPaths.Matches(context.Request.Path), api =>
        {
            api.UseTokenScopes();
            api.UseEndpointPermissions();
        });
        app.UseAntiforgery(); // checks only endpoints that ask for it: the portal's forms
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        // Prometheus text format of every System.Diagnostics.Metrics instrument (the features' and ASP.NET Core's own
        // http.server.request.duration), and the process's: for anyone signed in (a scrape configures a bearer token).
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new Microsoft.AspNetCore.Routing.HttpMethodMetadata(["GET"])).ExcludeFromDescription();
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi("/openapi/{documentName}.json");

        var api = app.MapGroup("/api/v1");
        api.MapSites();
        api.MapRacks();
        api.MapSkus();
        api.MapRoles();
        api.MapMachines();
        api.MapRetiredDiscovery();
        api.MapIdentity();
        api.MapDirectoryLogin();
        api.MapJobs();
        api.MapImages();
        api.MapBatches();
        api.MapRequests();
        api.MapPools();
        api.MapReclaim();
        api.MapCost();
        Notifications.EventEndpoints.MapEvents(api);
        Notifications.SubscriptionEndpoints.MapSubscriptions(api);
        Tickets.TicketEndpoints.MapTickets(api);
        app.MapBoot();
        app.MapIngotPortal();
        return app;
    }

    private static void AddJobs(IServiceCollection services, ServerSettings settings)
    {
                services.AddSingleton(settings.Jobs);
        services.AddSingleton<JobSignal>();
        services.AddSingleton<JobSubmission>();
        services.AddSingleton(s => new InUseHooks(settings.HookTimeout, s.GetRequiredService<ILogger<InUseHooks>>()));
        services.AddSingleton<BatchSubmission>();
        services.AddSingleton<BatchPrecheck>();
        services.AddSingleton<DatabaseJobQueue>();
        services.AddSingleton<IJobQueue>(s => s.GetRequiredService<DatabaseJobQueue>());
        // One set of UDP sockets for every IPMI session this node opens (Ingot.Bmc's design), disposed with the host.
        services.AddSingleton(_ => new IpmiTransport(settings.Ipmi));
        services.AddSingleton(s => new BmcDriverOptions { IpmiTransport = s.GetRequiredService<IpmiTransport>() });
        services.AddSingleton<BmcProbe>();
        services.AddSingleton(s => s.GetRequiredService<DatabaseJobQueue>().Circuit);
        services.AddSingleton(settings.BmcWatch);
        services.AddSingleton<BmcWatch>();
        if (settings.Jobs.RunWorkers && settings.BmcWatch.Run) services.AddHostedService(s => s.GetRequiredService<BmcWatch>());
        services.AddHostedService<JobGauges>();
        services.AddSingleton<JobWorkers>();
        services.AddHostedService(s => s.GetRequiredService<JobWorkers>());
        services.AddSingleton(settings.Requests);
        services.AddSingleton<Capacity.Allocator>();
        services.AddSingleton<Capacity.RequestPass>();
        services.AddSingleton<Capacity.RequestReconciler>();
        services.AddHostedService(s => s.GetRequiredService<Capacity.RequestReconciler>());
        services.AddSingleton(settings.Cost);
        services.AddSingleton<Cost.CostSummaries>();
        services.AddHostedService(s => s.GetRequiredService<Cost.CostSummaries>());
        AddNotifications(services, settings);
    }

    /// <summary>The event stream's feed on every node, and the catalog of every type the features write.</summary>
    private static void AddNotifications(IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton(settings.Notifications);
        services.AddSingleton(settings.Ldap);
        services.AddSingleton(settings.SignIn);
        services.AddSingleton<SelfService.Directory.LdapDirectory>();
        services.AddSingleton<SelfService.Directory.DirectorySync>();
        services.AddHostedService(s => s.GetRequiredService<SelfService.Directory.DirectorySync>());
        services.AddSingleton(new Notifications.EventCatalog(
        [
            .. JobEvents.Types, Transitions.StateChanged, BmcHealthEvents.Changed, .. Capacity.RequestPass.EventTypes, Cost.CostSummaries.EventType,
            .. Tickets.Tickets.EventTypes,
        ]));
        services.AddSingleton<Notifications.EventFeed>();
        services.AddHostedService(s => s.GetRequiredService<Notifications.EventFeed>());
        if (settings.Notifications.Deliver) services.AddHostedService<Notifications.Deliveries>();
        services.AddSingleton<Notifications.DefaultSubscriptions>();
        services.AddHostedService(s => s.GetRequiredService<Notifications.DefaultSubscriptions>());
        services.AddSingleton(settings.Tickets);
        services.AddHostedService<Tickets.TicketOpener>();
        services.AddSingleton<JobStatsRollup>();
        services.AddHostedService(s => s.GetRequiredService<JobStatsRollup>());
        services.AddSingleton<BatchCompletion>();
        services.AddHostedService(s => s.GetRequiredService<BatchCompletion>());
    }

    private static async Task<IResult> ReadyAsync(Database db, CancellationToken ct)
    {
        try
        {
            await using var c = await db.OpenAsync(ct);
            await c.ExecuteScalarAsync<int>("SELECT 1");
            return Results.Text("ready");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Results.Problem(statusCode: 503, title: "Not ready", detail: $"The database is unreachable: {e.Message}");
        }
    }
}
