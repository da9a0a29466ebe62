namespace Ingot.Server.Api;

/// <summary>What a scoped token may do beyond reading (docs/authorization.md): nothing (<see cref="ReadOnly"/>), or submit
/// jobs and batches of <see cref="Actions"/>. A token without a scope has its user's full rights and no TokenScope.</summary>
public sealed record TokenScope(IReadOnlyList<string> Actions)
{
    public const string Read = "read";

    public bool ReadOnly => Actions.Count == 0;

    public bool Allows(string action) => Actions.Contains(action, StringComparer.Ordinal);

    /// <summary>As the wire and the API show it: ["read"], or the actions.</summary>
    public IReadOnlyList<string> Names => ReadOnly ? [Read] : Actions;

    /// <summary>As api_tokens.scope and the claim store it: "read", or "power_cycle,reboot".</summary>
    public string Stored => string.Join(',', Names);

    public static TokenScope? Parse(string? stored) =>
        string.IsNullOrEmpty(stored) ? null : new([.. stored.Split(',').Where(a => a != Read)]);

    public string Describe() => ReadOnly ? "reads (GET and HEAD)" : "reads and submitting " + string.Join(", ", Actions);

    /// <summary>Endpoint metadata for the job and batch submissions: the one kind of write an action-scoped token may reach,
    /// where <see cref="Caller.RequireScope"/> checks its action.</summary>
    public sealed class Submission
    {
        public static readonly Submission Instance = new();
    }
}
