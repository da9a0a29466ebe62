using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>Why a machine may not take a destructive action now, by the in-use hooks of its role or site (InUseHooks).</summary>
/// <param name="Machine">Its hostname, else its hardware_name.</param>
/// <param name="Unanswered">Only because a hook did not answer (no hook said the machine is in use).</param>
public sealed record InUseRefusal(string Machine, string Reason, bool Unanswered)
{
    /// <summary>The single job's refusal (409 either way, told apart by the slug): a hook says the machine is in use, or
    /// a hook could not be asked (try again when it answers). Not a 5xx: the server is well, and a refusal is an answer.</summary>
    public IngotException Exception() => Unanswered ? new InUseHookUnansweredException(this) : new InUseElsewhereException(this);
}

/// <summary>A hook says another system still uses the machine (409).</summary>
public sealed class InUseElsewhereException(InUseRefusal refusal) : IngotException($"Machine {refusal.Machine} {refusal.Reason}. Nothing was queued.")
{
    public override int Status => 409;
    public override string Slug => "in-use-elsewhere";
    public override string Title => "Machine in use elsewhere";
}

/// <summary>A hook that must be asked did not answer, and it fails closed (409).</summary>
public sealed class InUseHookUnansweredException(InUseRefusal refusal) : IngotException($"Machine {refusal.Machine} was not checked: {refusal.Reason}. Nothing was queued.")
{
    public override int Status => 409;
    public override string Slug => "in-use-hook-unanswered";
    public override string Title => "In-use hook did not answer";
}
