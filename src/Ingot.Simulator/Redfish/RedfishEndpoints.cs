using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingot.Bmc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Simulator.Redfish;

/// <summary>The routes of a simulated Redfish service. Each handler acts on the BMC that the connection's
/// local address belongs to (<see cref="RedfishSimulator"/> puts it in the request's items).</summary>
internal static class RedfishEndpoints
{
    public const string StateKey = "ingot.redfish.bmc";

    public static void MapRedfish(this IEndpointRouteBuilder app)
    {
        // The version document and the service root are readable without credentials (DSP0266).
        app.MapGet(RedfishResources.Versions, Handler(_ => Json(RedfishResources.VersionDocument())));
        app.MapGet("/redfish/v1", Handler(c => Json(RedfishResources.ServiceRoot(State(c)))));
        app.MapGet(RedfishResources.Systems, Handler(c => Authorized(c, _ => Json(RedfishResources.SystemCollection()))));
        app.MapGet(RedfishResources.System, Handler(c => Authorized(c, s => Json(RedfishResources.ComputerSystem(s)))));
        app.MapPatch(RedfishResources.System, Handler(c => Authorized(c, s => PatchSystemAsync(c, s))));
        app.MapGet(RedfishResources.Processors, Handler(c => Authorized(c, s => Json(RedfishHardware.ProcessorCollection(s.Profile)))));
        app.MapGet(RedfishResources.Processors + "/{id}", (HttpContext c, string id) =>
            Authorized(c, s => Found(RedfishHardware.Processor(s.Profile, id), c)));
        app.MapGet(RedfishResources.Memory, Handler(c => Authorized(c, s => Json(RedfishHardware.MemoryCollection(s.Profile)))));
        app.MapGet(RedfishResources.Memory + "/{id}", (HttpContext c, string id) =>
            Authorized(c, s => Found(RedfishHardware.MemoryModule(s.Profile, id), c)));
        app.MapGet(RedfishResources.Managers, Handler(c => Authorized(c, _ => Json(RedfishEnclosure.ManagerCollection()))));
        app.MapGet(RedfishResources.Manager, Handler(c => Authorized(c, s => Json(RedfishEnclosure.Manager(s)))));
        app.MapGet(RedfishResources.Chassis, Handler(c => Authorized(c, _ => Json(RedfishEnclosure.ChassisCollection()))));
        app.MapGet(RedfishResources.OneChassis, Handler(c => Authorized(c, s => Json(RedfishEnclosure.OneChassisResource(s)))));
        app.MapGet(RedfishResources.ResetActionInfo, Handler(c => Authorized(c, s => Json(RedfishResources.ResetInfo(s.Profile)))));
        app.MapPost(RedfishResources.ResetTarget, Handler(c => Authorized(c, s => ResetAsync(c, s))));
        app.MapGet(RedfishResources.SessionService,
            Handler(c => WithSessions(c, s => Authorized(c, _ => Json(RedfishResources.SessionServiceResource())))));
        app.MapPost(RedfishResources.Sessions, Handler(c => WithSessions(c, s => LogInAsync(c, s))));
        app.MapDelete(RedfishResources.Sessions + "/{id}", (HttpContext c, string id) =>
            WithSessions(c, s => Authorized(c, _ => LogOut(s, id))));
    }

    // As a Delegate rather than a RequestDelegate, so that minimal APIs write the returned IResult.
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    private static RedfishBmcState State(HttpContext c) => (RedfishBmcState)c.Items[StateKey]!;

    private static Task<IResult> WithSessions(HttpContext c, Func<RedfishBmcState, Task<IResult>> next) =>
        State(c).Profile.Sessions ? next(State(c)) : Task.FromResult(Problem(404, "ResourceMissingAtURI", "This service has no SessionService."));

    /// <summary>An X-Auth-Token of an open session, or HTTP basic credentials of a known user.</summary>
    private static async Task<IResult> Authorized(HttpContext c, Func<RedfishBmcState, Task<IResult>> next)
    {
        var state = State(c);
        if (c.Request.Headers["X-Auth-Token"].FirstOrDefault() is { } token)
        {
            if (!state.Sessions.ContainsKey(token)) return Unauthorized(c);
            state.CountToken();
            return await next(state);
        }
        if (Basic(c) is not var (user, password) || !Accepts(state, user, password)) return Unauthorized(c);
        state.CountBasic();
        return await next(state);
    }

    private static Task<IResult> Authorized(HttpContext c, Func<RedfishBmcState, IResult> next) =>
        Authorized(c, s => Task.FromResult(next(s)));

    private static async Task<IResult> LogInAsync(HttpContext c, RedfishBmcState state)
    {
        var body = await ReadAsync(c);
        var user = body?["UserName"]?.ToString();
        var password = body?["Password"]?.ToString();
        if (user is null || password is null) return Problem(400, "PropertyMissing", "UserName and Password are required.");
        if (!Accepts(state, user, password)) return Unauthorized(c);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        state.Sessions[token] = (id, user);
        state.CountSessionCreated();
        c.Response.Headers["X-Auth-Token"] = token;
        c.Response.Headers.Location = $"{RedfishResources.Sessions}/{id}"; // the URI clients DELETE to log out
        return Results.Content(RedfishResources.Session(id, user).ToJsonString(), "application/json", Encoding.UTF8, 201);
    }

    private static IResult LogOut(RedfishBmcState state, string id)
    {
        var entry = state.Sessions.FirstOrDefault(s => s.Value.Id == id);
        if (entry.Key is null || !state.Sessions.TryRemove(entry.Key, out _))
            return Problem(404, "ResourceMissingAtURI", $"No session {id}.");
        state.CountSessionDeleted();
        return Results.NoContent();
    }

    private static async Task<IResult> ResetAsync(HttpContext c, RedfishBmcState state)
    {
        state.CountReset();
        var resetType = (await ReadAsync(c))?["ResetType"]?.ToString();
        if (resetType is null || !state.Profile.ResetTypes.Contains(resetType) || ActionOf(resetType) is not { } action)
            return Problem(400, "ActionParameterValueNotInList",
                $"ResetType '{resetType}' is not one of {string.Join(", ", state.Profile.ResetTypes)}.");
        state.Bmc.Apply(action); // IgnorePowerCommands is honoured there: acknowledged, nothing changes
        return Results.NoContent();
    }

    private static PowerAction? ActionOf(string resetType) => resetType switch
    {
        "On" or "ForceOn" => PowerAction.On,
        "ForceOff" => PowerAction.Off,
        "GracefulShutdown" => PowerAction.SoftOff,
        "ForceRestart" or "GracefulRestart" => PowerAction.Reset,
        "PowerCycle" => PowerAction.Cycle,
        _ => null,
    };

    /// <summary>PATCH semantics: properties left out keep their value.</summary>
    private static async Task<IResult> PatchSystemAsync(HttpContext c, RedfishBmcState state)
    {
        if ((await ReadAsync(c))?["Boot"] is not JsonObject boot) return Problem(400, "PropertyMissing", "Only Boot can be changed here.");
        var current = state.Bmc.Boot;
        var target = boot["BootSourceOverrideTarget"]?.ToString();
        if (target is not null && !state.Profile.BootTargets.Contains(target))
            return Problem(400, "PropertyValueNotInList", $"BootSourceOverrideTarget '{target}' is not one of {string.Join(", ", state.Profile.BootTargets)}.");
        var device = target switch
        {
            null => current.Device,
            "Pxe" => BootDevice.Pxe,
            "Hdd" => BootDevice.Disk,
            "BiosSetup" => BootDevice.BiosSetup,
            _ => BootDevice.None,
        };
        var enabled = boot["BootSourceOverrideEnabled"]?.ToString();
        if (enabled == "Disabled") device = BootDevice.None;
        var persistent = enabled is null ? current.Persistent : enabled == "Continuous";
        var mode = boot["BootSourceOverrideMode"]?.ToString();
        state.Bmc.SetBoot(new BootSettings(device, persistent, mode is null ? current.Uefi : mode == "UEFI"));
        return Results.NoContent();
    }

    private static (string User, string Password)? Basic(HttpContext c)
    {
        var header = c.Request.Headers.Authorization.FirstOrDefault();
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = pair.IndexOf(':');
            return colon < 0 ? null : (pair[..colon], pair[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool Accepts(RedfishBmcState state, string user, string password) =>
        !state.Bmc.Faults.WrongCredentials && state.Bmc.FindUser(user) is { } known && known.Password == password;

    private static async Task<JsonNode?> ReadAsync(HttpContext c)
    {
        try
        {
            return await JsonNode.ParseAsync(c.Request.Body, cancellationToken: c.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult Unauthorized(HttpContext c)
    {
        c.Response.Headers.WWWAuthenticate = "Basic realm=\"simulated BMC\"";
        return Problem(401, "InsufficientPrivilege", "Authentication failed: unknown user, wrong password, or an expired session.");
    }

    private static IResult Found(JsonObject? resource, HttpContext c) => resource is null
        ? Problem(404, "ResourceMissingAtURI", $"There is no resource at {c.Request.Path}.")
        : Results.Content(resource.ToJsonString(), "application/json");

    private static Task<IResult> Json(JsonObject body) => Task.FromResult(Results.Content(body.ToJsonString(), "application/json"));

    private static IResult Problem(int status, string messageId, string message) =>
        Results.Content(RedfishResources.Error(messageId, message).ToJsonString(), "application/json", Encoding.UTF8, status);
}
