using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Data;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Jobs;

/// <summary>The "in use elsewhere" hooks (issue 12, docs/authorization.md): before a destructive action
/// (<see cref="JobPlans.Erases"/>) a role or site that has an <c>in_use_hook</c> is asked, in one POST for all of its
/// machines, whether another system still uses them. Asked outside any transaction — an answer takes up to the timeout
/// and nothing should wait on it — and several hooks at once. A hook that does not answer in time, answers an error or
/// something that cannot be read refuses its machines unless its <c>in_use_hook_fail_open</c> says otherwise.</summary>
public sealed partial class InUseHooks(TimeSpan timeout, ILogger<InUseHooks> log) : IDisposable
{
    /// <summary>Hooks asked at once: a batch over many roles should not wait for them one by one, nor open hundreds.</summary>
    private const int Parallel = 16;

    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each ask is bounded by the options' timeout, headers and body together
        MaxResponseContentBufferSize = 16 << 20,
    };

    private sealed class MachineRow
    {
        public long Id { get; init; }
        public string HardwareName { get; init; } = "";
        public string? Hostname { get; init; }
        public string Serial { get; init; } = "";
        public string? Site { get; init; }
        public string? Role { get; init; }
        public string? RoleHook { get; init; }
        public bool RoleHookFailOpen { get; init; }
        public string? SiteHook { get; init; }
        public bool SiteHookFailOpen { get; init; }
    }

    /// <summary>One hook and the machines it is asked about; <see cref="Owner"/> names it ("role fancydb").</summary>
    private sealed record Hook(string Owner, string Url, bool FailOpen)
    {
        public List<MachineRow> Machines { get; } = [];
    }

    private sealed record AskedMachine(string HardwareName, string? Hostname, string Serial, string? Site, string? Role);

    private sealed record Ask(string Action, IReadOnlyList<AskedMachine> Machines);

    /// <summary>The machines the hooks refuse for <paramref name="action"/>, by machine id; none when the action
    /// erases nothing or no hook applies.</summary>
    public async Task<IReadOnlyDictionary<long, InUseRefusal>> RefusalsAsync(DataContext c, string action, IReadOnlyList<long> machineIds, CancellationToken ct)
    {
        if (!JobPlans.Erases(action) || machineIds.Count == 0) return new Dictionary<long, InUseRefusal>();
        var hooks = await HooksAsync(c, machineIds);
        var refusals = new ConcurrentDictionary<long, InUseRefusal>();
        await System.Threading.Tasks.Parallel.ForEachAsync(hooks, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = ct },
            async (hook, token) =>
            {
                foreach (var (m, reason, unanswered) in await AskAsync(hook, action, token))
                    refusals.AddOrUpdate(m.Id, new InUseRefusal(m.Hostname ?? m.HardwareName, reason, unanswered),
                        (_, other) => new InUseRefusal(other.Machine, $"{other.Reason}; {reason}", other.Unanswered && unanswered));
            });
        return refusals;
    }

    /// <summary>Each hook of the machines' roles and sites, with the machines it covers (a machine under both a role's
    /// and a site's hook is asked of both).</summary>
    private static async Task<List<Hook>> HooksAsync(DataContext c, IReadOnlyList<long> machineIds)
    {
        var hooks = new Dictionary<string, Hook>(StringComparer.Ordinal);
        void Add(string owner, string url, bool failOpen, MachineRow m)
        {
            if (!hooks.TryGetValue(owner, out var hook)) hooks[owner] = hook = new Hook(owner, url, failOpen);
            hook.Machines.Add(m);
        }
        foreach (var chunk in machineIds.Chunk(500))
        {
            foreach (var m in await c.QueryAsync<MachineRow>(
                         $"""
                         SELECT m.id, m.hardware_name, m.hostname, m.serial, s.name AS site, r.name AS role,
                                r.in_use_hook AS role_hook, r.in_use_hook_fail_open AS role_hook_fail_open,
                                s.in_use_hook AS site_hook, s.in_use_hook_fail_open AS site_hook_fail_open
                         FROM machines m LEFT JOIN roles r ON r.id = m.role_id LEFT JOIN sites s ON s.id = m.site_id
                         WHERE {Sql.AnyOf(c, "m.id", "ids")} AND (r.in_use_hook IS NOT NULL OR s.in_use_hook IS NOT NULL)
                         """, new { ids = Sql.List(chunk) }))
            {
                if (m.RoleHook is not null) Add($"role {m.Role}", m.RoleHook, m.RoleHookFailOpen, m);
                if (m.SiteHook is not null) Add($"site {m.Site}", m.SiteHook, m.SiteHookFailOpen, m);
            }
        }
        return [.. hooks.Values];
    }

    /// <summary>One POST with every machine of the hook; the machines it refuses, each with the reason.</summary>
    private async Task<List<(MachineRow Machine, string Reason, bool Unanswered)>> AskAsync(Hook hook, string action, CancellationToken ct)
    {
        string answer;
        try
        {
            var named = await InUseAsync(hook, action, ct);
            return [.. hook.Machines.Where(m => named.ContainsKey(m.HardwareName) || (m.Hostname is not null && named.ContainsKey(m.Hostname)) || named.ContainsKey(m.Serial))
                .Select(m => (m, $"is in use elsewhere, says the in-use hook of {hook.Owner}: " +
                                 (named.GetValueOrDefault(m.Hostname ?? "") ?? named.GetValueOrDefault(m.HardwareName) ?? named[m.Serial]), false))];
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            answer = $"no answer within {timeout.TotalSeconds:0.###} s (INGOT_HOOKS_TIMEOUT_SECONDS)";
        }
        catch (HttpRequestException e)
        {
            answer = e.StatusCode is { } status ? $"it answered HTTP {(int)status} {status}" : e.Message;
        }
        catch (JsonException e)
        {
            answer = $"its answer is not {{\"in_use\": [{{\"machine\": …, \"reason\": …}}]}} ({e.Message})";
        }
        if (hook.FailOpen)
        {
            LogFailOpen(hook.Owner, answer, hook.Machines.Count);
            return [];
        }
        return [.. hook.Machines.Select(m => (m, $"the in-use hook of {hook.Owner} did not answer: {answer}; destructive actions wait for it " +
                                                 $"(or set the {hook.Owner.Split(' ')[0]}'s in_use_hook_fail_open)", true))];
    }

    /// <summary>The machines the hook names as in use, by the name it gives, with its reason.</summary>
    /// <exception cref="HttpRequestException">No connection, or a status other than 2xx.</exception>
    /// <exception cref="JsonException">The answer is not the expected document.</exception>
    private async Task<Dictionary<string, string>> InUseAsync(Hook hook, string action, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var ask = new Ask(action, [.. hook.Machines.Select(m => new AskedMachine(m.HardwareName, m.Hostname, m.Serial, m.Site, m.Role))]);
        using var response = await http.PostAsJsonAsync(hook.Url, ask, IngotJson.Options, deadline.Token);
        response.EnsureSuccessStatusCode();
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(deadline.Token), default, deadline.Token);
        var named = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not a JSON object");
        if (!document.RootElement.TryGetProperty("in_use", out var inUse) || inUse.ValueKind == JsonValueKind.Null) return named;
        if (inUse.ValueKind != JsonValueKind.Array) throw new JsonException("in_use is not an array");
        foreach (var item in inUse.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("machine", out var machine) || machine.ValueKind != JsonValueKind.String)
                throw new JsonException("an entry of in_use has no \"machine\" string");
            var reason = item.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String && r.GetString() is { Length: > 0 } text ? text : "no reason given";
            named[machine.GetString()!] = reason;
        }
        return named;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The in-use hook of {Owner} did not answer ({Answer}); its {Count} machine(s) go ahead, as its in_use_hook_fail_open says")]
    private partial void LogFailOpen(string owner, string answer, int count);

    public void Dispose() => http.Dispose();
}
