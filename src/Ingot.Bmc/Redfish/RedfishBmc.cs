using System.Text.Json.Nodes;

namespace Ingot.Bmc.Redfish;

/// <summary>A Redfish BMC: the first ComputerSystem of its Systems collection, reached over HTTPS (or HTTP
/// for simulators). Connects lazily on first use: service root, login, system discovery.</summary>
/// <remarks>Throws <see cref="BmcUnreachableException"/> (no connection or answer), <see cref="BmcCertificateException"/>
/// (TLS verification failed), <see cref="BmcAuthenticationException"/> (401/403),
/// <see cref="BmcCommandRejectedException"/> (other error statuses; 503 is transient),
/// <see cref="BmcMalformedReplyException"/> (not JSON, or missing what the schema requires) and
/// <see cref="BmcUnsupportedException"/> (an action or value the system does not offer).</remarks>
public sealed class RedfishBmc : IBmc, IPowerControl, IBootDeviceControl, IDeviceInfoSource
{
    private readonly RedfishTransport http;
    private readonly RedfishLogin login;
    private readonly SemaphoreSlim connecting = new(1, 1);
    private JsonObject? serviceRoot;
    private string? systemPath;

    public RedfishBmc(BmcTarget target, RedfishOptions? options = null)
    {
        Target = target;
        options ??= RedfishOptions.Default;
        http = new RedfishTransport(target, options);
        login = new RedfishLogin(http, target, options);
    }

    public BmcTarget Target { get; }

    private string Bmc => Target.Name;

    public async Task<PowerState> GetPowerStateAsync(CancellationToken ct = default)
    {
        var system = await GetSystemAsync("read the power state", ct);
        var text = RedfishSchema.Text(system, "PowerState");
        return RedfishSchema.ParsePowerState(text)
            ?? throw new BmcMalformedReplyException(Bmc, $"the ComputerSystem reports PowerState '{text ?? "(none)"}', not On or Off");
    }

    public async Task SendPowerAsync(PowerAction action, CancellationToken ct = default)
    {
        var command = $"power {action.ToString().ToLowerInvariant()}";
        var system = await GetSystemAsync(command, ct);
        var reset = system["Actions"]?[RedfishSchema.ResetAction] as JsonObject;
        var actionTarget = RedfishSchema.Text(reset, "target")
            ?? throw new BmcUnsupportedException(Bmc, $"{command}: the ComputerSystem offers no {RedfishSchema.ResetAction} action");
        var allowed = await AllowedResetTypesAsync(reset!, command, ct);
        var wanted = RedfishSchema.ResetTypes(action);
        var resetType = allowed is null ? wanted[0] : wanted.FirstOrDefault(allowed.Contains)
            ?? throw new BmcUnsupportedException(Bmc, $"{command}: the BMC allows ResetType {string.Join(", ", allowed)}, not {string.Join(" or ", wanted)}");
        await SendAsync(HttpMethod.Post, actionTarget, new JsonObject { ["ResetType"] = resetType }, command, ct);
    }

    public async Task SetBootDeviceAsync(BootSettings settings, CancellationToken ct = default)
    {
        const string command = "set the boot device";
        var system = await GetSystemAsync(command, ct);
        var boot = system["Boot"] as JsonObject;
        var targetValue = RedfishSchema.BootTarget(settings.Device);
        if (RedfishSchema.AllowableValues(boot, "BootSourceOverrideTarget") is { } targets && !targets.Contains(targetValue))
            throw new BmcUnsupportedException(Bmc, $"{command}: the BMC allows boot targets {string.Join(", ", targets)}, not {targetValue}");
        var patch = RedfishSchema.BootPatch(settings, systemHasMode: boot?.ContainsKey("BootSourceOverrideMode") == true);
        await SendAsync(HttpMethod.Patch, systemPath!, patch, command, ct);
    }

    public async Task<BootSettings> GetBootDeviceAsync(CancellationToken ct = default) =>
        RedfishSchema.ParseBoot((await GetSystemAsync("read the boot device", ct))["Boot"] as JsonObject);

    public async Task<DeviceInfo> GetDeviceInfoAsync(CancellationToken ct = default)
    {
        var system = await GetSystemAsync("read the device info", ct);
        var details = new Dictionary<string, string>();
        // Every property is optional in the schema and vendors omit different ones; take what is there.
        foreach (var name in new[] { "Id", "Name", "SerialNumber", "SKU", "PartNumber", "HostName", "SystemType" })
            if (RedfishSchema.Text(system, name) is { } value) details[name] = value;
        if (RedfishSchema.Text(serviceRoot, "RedfishVersion") is { } version) details["RedfishVersion"] = version;
        return new DeviceInfo(RedfishSchema.Text(system, "Manufacturer"), RedfishSchema.Text(system, "Model"),
            RedfishSchema.Text(system, "BiosVersion"), RedfishSchema.Text(system, "UUID"), details);
    }

    /// <summary>The allowable ResetType values: inline on the action, or in the ActionInfo resource it links
    /// to (the schema allows either, and some services, such as openUBMC's ResetActionInfo, use the link). Null when the service states none. Simulator:
    /// RedfishProfile.ResetTypesInActionInfo; test: Allowable_reset_types_published_only_in_action_info_are_honoured.</summary>
    private async Task<IReadOnlyList<string>?> AllowedResetTypesAsync(JsonObject reset, string command, CancellationToken ct)
    {
        if (RedfishSchema.AllowableValues(reset, "ResetType") is { } inline) return inline;
        if (RedfishSchema.Text(reset, "@Redfish.ActionInfo") is not { } infoPath) return null;
        var info = await SendAsync(HttpMethod.Get, infoPath, null, command, ct);
        var parameter = (info["Parameters"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(p => RedfishSchema.Text(p, "Name") == "ResetType");
        return parameter?["AllowableValues"] is JsonArray values ? [.. values.Select(v => v?.ToString()).OfType<string>()] : null;
    }

    private async Task<JsonObject> GetSystemAsync(string command, CancellationToken ct)
    {
        await ConnectAsync(ct);
        return await SendAsync(HttpMethod.Get, systemPath!, null, command, ct);
    }

    /// <summary>Sends with the session; a session that expired on the BMC (401 on a token that worked) is
    /// renewed once, since BMCs drop sessions idle longer than their SessionService's SessionTimeout. Test: An_expired_session_is_renewed_once.</summary>
    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonNode? body, string command, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(method, path, body, command, ct);
        }
        catch (BmcAuthenticationException) when (login.UsesSession && serviceRoot is not null)
        {
            await login.LogInAsync(serviceRoot, ct);
            return await http.SendAsync(method, path, body?.DeepClone(), command, ct);
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        if (systemPath is not null) return;
        await connecting.WaitAsync(ct);
        try
        {
            if (systemPath is not null) return;
            // The service root is readable without credentials (the spec requires it), so a wrong password
            // is reported as such rather than as a missing service.
            var root = await http.SendAsync(HttpMethod.Get, RedfishSchema.ServiceRoot, null, "read the service root", ct);
            await login.LogInAsync(root, ct);
            serviceRoot = root;
            var systems = RedfishSchema.Link(root, "Systems") ?? "/redfish/v1/Systems";
            var collection = await http.GetAsync(systems, "list the systems", ct);
            // Multi-node enclosures list several systems; a BMC of one server lists one. We drive the first.
            var first = (collection["Members"] as JsonArray)?.OfType<JsonObject>().Select(m => RedfishSchema.Text(m, "@odata.id")).FirstOrDefault(p => p is not null);
            systemPath = first ?? throw new BmcMalformedReplyException(Bmc, $"the Systems collection at {systems} has no members");
        }
        finally
        {
            connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await login.LogOutAsync();
        http.Dispose();
        connecting.Dispose();
    }
}
