namespace Ingot.Client;

public enum ImageKind { Install, Wipe, Discovery }

/// <summary>An OS image as iPXE loads it. <c>cmdline</c> is the kernel command line; Ingot appends its own
/// <c>ingot.*</c> parameters (docs/boot.md). <c>deadline_seconds</c> bounds an install from boot to 'finished'.</summary>
public sealed record ImageCreate(
    string? Name,
    ImageKind? Kind,
    string? KernelUrl,
    string? InitrdUrl,
    string? Cmdline = null,
    string? Os = null,
    string? KernelSha256 = null,
    string? InitrdSha256 = null,
    int? DeadlineSeconds = null);

public sealed record ImageView(
    long Id, string Name, ImageKind Kind, string? Os, string KernelUrl, string InitrdUrl, string Cmdline,
    string? KernelSha256, string? InitrdSha256, int DeadlineSeconds, DateTimeOffset CreatedAt);

/// <summary>What an installer, wipe or discovery image posts to <c>/boot/events</c> with its boot token.</summary>
public sealed record BootEvent(string? Event, string? Step = null, int? Percent = null, string? Message = null, string? Log = null);

public sealed record JobEventView(int Attempt, string Event, string? Step, int? Percent, string? Message, string? Log, DateTimeOffset At);
