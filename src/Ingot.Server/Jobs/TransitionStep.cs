using Ingot.Client;
using Ingot.Server.Inventory;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>Moves the machine through the lifecycle table, inside the job (DESIGN.md §2: lifecycle changes happen
/// through the state machine). Idempotent through the queue: a resumed job whose transition already happened is
/// told the state it reached.</summary>
public sealed class TransitionStep(string name, Trigger trigger) : IJobStep
{
    public string Name => name;
    public bool UsesBmc => false;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        var job = context.Job;
        var state = await context.InLeaseAsync(c => Transitions.ApplyOnceAsync(c, job.MachineId, trigger, job.Actor, $"job {job.Id} ({job.Action})",
            context.Clock.GetUtcNow()), ct);
        context.Result["machine_state"] = Wire.Name(state);
        return $"machine is {Wire.Name(state)}";
    }
}
