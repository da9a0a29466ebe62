using System.Net;
using System.Text.Json.Nodes;

namespace Ingot.Bmc.Redfish;

/// <summary>Logs in to a Redfish service: a session (POST to the Sessions collection, then X-Auth-Token on
/// every request and DELETE of the session on logout) where the service offers one, else HTTP basic auth.
/// Sessions are preferred because BMCs check a token far faster than a password hash on every request.</summary>
internal sealed class RedfishLogin(RedfishTransport http, BmcTarget target, RedfishOptions options)
{
    // Where the DMTF spec puts the Sessions collection; used when the service root has no Links.Sessions.
    private const string DefaultSessions = "/redfish/v1/SessionService/Sessions";

    private string? sessionLocation;

    public bool UsesSession => http.Token is not null;

    public async Task LogInAsync(JsonObject serviceRoot, CancellationToken ct)
    {
        if (target.Username is null) return; // lab services with authentication off
        http.Token = null;
        var sessions = RedfishSchema.Link(serviceRoot["Links"] as JsonObject, "Sessions") ?? DefaultSessions;
        var body = new JsonObject { ["UserName"] = target.Username, ["Password"] = target.Password ?? "" };
        var reply = await http.SendRawAsync(HttpMethod.Post, sessions, body, authenticate: false, ct);
        // No SessionService at all (404), or one that refuses to create sessions (405, 501): some embedded
        // BMCs, or BMCs configured without sessions, only do basic auth (the spec requires services to accept it).
        // Simulator: RedfishProfile.Sessions = false; test: Basic_auth_is_used_when_the_service_has_no_sessions.
        if (reply.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
        {
            http.UseBasicAuth(target.Username, target.Password ?? "");
            return;
        }
        http.EnsureSuccess(reply, "log in");
        var token = reply.Headers.TryGetValues("X-Auth-Token", out var values) ? values.FirstOrDefault() : null;
        if (string.IsNullOrEmpty(token))
        {
            // A 2xx without a token is outside the spec; basic auth is the way that still works.
            http.UseBasicAuth(target.Username, target.Password ?? "");
            return;
        }
        http.Token = token;
        // The spec puts the session's URI in Location; a few services only return it as @odata.id in the body.
        sessionLocation = reply.Headers.Location?.ToString() ?? SessionId(reply);
    }

    /// <summary>Deletes the session so it does not hold one of the BMC's few session slots until it times
    /// out. Best effort with a short deadline: a BMC that has gone away must not block disposal.</summary>
    public async Task LogOutAsync()
    {
        if (sessionLocation is null || http.Token is null) return;
        using var timeout = new CancellationTokenSource(options.LogoutTimeout);
        try
        {
            await http.SendRawAsync(HttpMethod.Delete, sessionLocation, null, authenticate: true, timeout.Token);
        }
        catch (BmcException)
        {
            // The session times out on the BMC by itself.
        }
        catch (OperationCanceledException)
        {
            // Same: the deadline passed.
        }
        sessionLocation = null;
        http.Token = null;
    }

    private string? SessionId(RedfishReply reply)
    {
        try
        {
            return RedfishSchema.Text(http.ParseObject(reply, "log in"), "@odata.id");
        }
        catch (BmcMalformedReplyException)
        {
            return null; // no way to log out; the session will time out
        }
    }
}
