using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ingot.Bmc.Redfish;

/// <summary>One HTTP answer from a Redfish service, body not yet interpreted.</summary>
internal sealed record RedfishReply(HttpStatusCode Status, HttpResponseHeaders Headers, string Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>HTTP to one BMC: its connections (<see cref="RedfishConnections"/>), the credentials of the current
/// login, and the mapping of every failure to a <see cref="BmcException"/> that names the BMC.</summary>
internal sealed class RedfishTransport : IDisposable
{
    private readonly RedfishConnections connections;
    private readonly BmcTarget target;
    private readonly RedfishOptions options;
    private AuthenticationHeaderValue? basic;

    public RedfishTransport(BmcTarget target, RedfishOptions options)
    {
        this.target = target;
        this.options = options;
        connections = new RedfishConnections(target, options);
    }

    public string Bmc => target.Name;

    /// <summary>The X-Auth-Token of the current session, or null (basic auth, or not logged in).</summary>
    public string? Token { get; set; }

    public void UseBasicAuth(string user, string password) =>
        basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static Uri BaseAddress(BmcTarget target) =>
        new UriBuilder(target.Scheme, target.Host, target.Port, "/").Uri;

    /// <summary>Sends and returns whatever came back; only transport failures (no connection, no answer in
    /// time, a TLS failure) throw. An idempotent request whose connection dropped before its answer is sent once
    /// more, on a fresh connection: a BMC may close an idle connection just as a request goes out on it.
    /// Test: A_dropped_connection_is_retried_once_for_an_idempotent_request.</summary>
    public async Task<RedfishReply> SendRawAsync(HttpMethod method, string path, JsonNode? body, bool authenticate, CancellationToken ct)
    {
        try
        {
            try
            {
                return await SendOnceAsync(method, path, body, authenticate, ct);
            }
            catch (Exception e) when (IsIdempotent(method) && IsDroppedConnection(e) && !ct.IsCancellationRequested)
            {
                return await SendOnceAsync(method, path, body, authenticate, ct);
            }
        }
        catch (HttpRequestException e) when (IsTlsFailure(e) && Reason(e).Contains("certificate", StringComparison.OrdinalIgnoreCase))
        {
            // .NET reports a refused certificate only through the message ("The remote certificate is invalid…");
            // a validation callback would tell us more, but we install one only for InsecureTls BMCs.
            throw new BmcCertificateException(Bmc, $"TLS certificate not trusted ({Reason(e)}). If the BMC has a self-signed certificate, " +
                                                   "give it a trusted one, or opt out of verification for this BMC only (--insecure).", e);
        }
        catch (HttpRequestException e) when (IsTlsFailure(e))
        {
            throw new BmcUnreachableException(Bmc, $"TLS handshake failed ({Reason(e)}). Does the BMC serve HTTPS on this port? " +
                                                   "(--scheme http for plain HTTP)", e);
        }
        catch (HttpRequestException e)
        {
            throw new BmcUnreachableException(Bmc, $"cannot reach the Redfish service: {Reason(e)}", e);
        }
        catch (IOException e)
        {
            throw new BmcUnreachableException(Bmc, $"the connection broke: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation nobody asked for.
            throw new BmcUnreachableException(Bmc, $"no answer within {options.RequestTimeout.TotalSeconds:0.#} s", e);
        }
    }

    private async Task<RedfishReply> SendOnceAsync(HttpMethod method, string path, JsonNode? body, bool authenticate, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        if (authenticate)
        {
            if (Token is not null) request.Headers.Add("X-Auth-Token", Token);
            else if (basic is not null) request.Headers.Authorization = basic;
        }
        using var response = await connections.Client.SendAsync(request, ct);
        connections.Learn(response);
        var text = await response.Content.ReadAsStringAsync(ct);
        return new RedfishReply(response.StatusCode, response.Headers, text);
    }

    /// <summary>Requests that may be sent twice. PATCH is not idempotent in HTTP's terms, but every PATCH this
    /// client sends sets absolute values (the Boot override), so a second one leaves the same state. A POST is
    /// never repeated: a Reset sent twice may cycle a machine twice, a login twice holds a second session slot.</summary>
    private static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Patch;

    /// <summary>The connection was open but died before the answer: closed (no bytes, or an empty status line)
    /// or reset. Not a refused or timed-out connect, and not TLS: those say the BMC is unreachable, and the
    /// job's own retries with backoff deal with that.</summary>
    private static bool IsDroppedConnection(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse } => true,
        HttpRequestException { HttpRequestError: HttpRequestError.Unknown, InnerException: IOException } => true,
        HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } => true,
        _ => false,
    };

    /// <summary>Sends with the current credentials and returns the JSON body of a successful answer
    /// (an empty object for 204 No Content).</summary>
    public async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonNode? body, string command, CancellationToken ct)
    {
        var reply = await SendRawAsync(method, path, body, authenticate: true, ct);
        EnsureSuccess(reply, command);
        return ParseObject(reply, command);
    }

    public Task<JsonObject> GetAsync(string path, string command, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, command, ct);

    public void EnsureSuccess(RedfishReply reply, string command)
    {
        if (reply.IsSuccess) return;
        if (reply.Status is HttpStatusCode.Unauthorized && target.Username is null)
            throw new BmcAuthenticationException(Bmc, $"{command}: the BMC requires a user name and password (HTTP 401), and none was given.");
        if (reply.Status is HttpStatusCode.Unauthorized)
            throw new BmcAuthenticationException(Bmc, $"{command}: the BMC refused the credentials of user '{target.Username}' (HTTP 401). Check the user and password.");
        if (reply.Status is HttpStatusCode.Forbidden)
            throw new BmcAuthenticationException(Bmc, $"{command}: user '{target.Username}' is not allowed to do this (HTTP 403). Use an account with more privileges.");
        var transient = reply.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests;
        throw new BmcCommandRejectedException(Bmc, command, null, $"HTTP {(int)reply.Status}: {ErrorMessage(reply)}", transient);
    }

    public JsonObject ParseObject(RedfishReply reply, string command)
    {
        if (string.IsNullOrWhiteSpace(reply.Body)) return [];
        try
        {
            return JsonNode.Parse(reply.Body) as JsonObject
                ?? throw new BmcMalformedReplyException(Bmc, $"{command}: the answer is JSON but not an object");
        }
        catch (JsonException e)
        {
            throw new BmcMalformedReplyException(Bmc, $"sent an answer that could not be parsed ({command}): not valid JSON ({e.Message})");
        }
    }

    /// <summary>The most specific text a Redfish error body offers: the first extended message, else the
    /// error's message, else the HTTP reason. Error bodies are optional, so anything else is tolerated.</summary>
    private static string ErrorMessage(RedfishReply reply)
    {
        try
        {
            var error = JsonNode.Parse(reply.Body)?["error"];
            var extended = error?["@Message.ExtendedInfo"] is JsonArray { Count: > 0 } info ? info[0]?["Message"]?.GetValue<string>() : null;
            var message = extended ?? error?["message"]?.GetValue<string>();
            if (!string.IsNullOrWhiteSpace(message)) return message;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Not a Redfish error body (an HTML page from a proxy, say): fall through to the status.
        }
        return reply.Status.ToString();
    }

    private static string Reason(Exception e) => e.InnerException?.Message ?? e.Message;

    private static bool IsTlsFailure(HttpRequestException e) =>
        e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException;

    public void Dispose() => connections.Dispose();
}
