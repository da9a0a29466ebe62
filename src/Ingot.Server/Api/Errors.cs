namespace Ingot.Server.Api;

/// <summary>The errors the API reports on purpose. Each has an HTTP status and a stable type slug
/// (problem details <c>type</c> is https://ingot.dev/problems/&lt;slug&gt;); <see cref="Problems"/> maps
/// them to responses in one place. Messages say what is wrong, where, and what to do.</summary>
public abstract class IngotException(string message) : Exception(message)
{
    public abstract int Status { get; }
    public abstract string Slug { get; }
    public abstract string Title { get; }
    public virtual IReadOnlyDictionary<string, string[]>? Errors => null;
    public virtual IReadOnlyDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?>();

    /// <summary>The audit log's outcome when it is not the status's own: a batch refused (422) because some host is not
    /// the caller's is "denied", like a 403.</summary>
    public virtual string? AuditOutcome => null;
}

/// <param name="near">Existing names close to <paramref name="key"/>, for a caller who mistyped it: named in the detail
/// and listed in the problem's <c>near_names</c>.</param>
public sealed class NotFoundException(string what, string key, IReadOnlyList<string>? near = null)
    : IngotException($"No {what} '{key}' exists." + (near is { Count: > 0 } ? $" Did you mean {string.Join(", ", near)}?" : ""))
{
    public override int Status => 404;
    public override string Slug => "not-found";
    public override string Title => "Not found";
    public override IReadOnlyDictionary<string, object?> Extensions { get; } =
        near is { Count: > 0 } ? new Dictionary<string, object?> { ["near_names"] = near } : new Dictionary<string, object?>();
}

public sealed class ConflictException(string message) : IngotException(message)
{
    public override int Status => 409;
    public override string Slug => "conflict";
    public override string Title => "Conflict";
}

/// <summary>A request that was well-formed but whose values are wrong; <see cref="Errors"/> names each
/// offending field (or CSV line, or host) with every reason found, not just the first.</summary>
public sealed class ValidationException(IReadOnlyDictionary<string, string[]> errors, string? message = null)
    : IngotException(message ?? Summarise(errors))
{
    public override int Status => 422;
    public override string Slug => "validation";
    public override string Title => "Invalid request";
    public override IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    public ValidationException(string field, string reason) : this(new Dictionary<string, string[]> { [field] = [reason] }) { }

    private static string Summarise(IReadOnlyDictionary<string, string[]> errors) =>
        errors.Count == 1
            ? $"{errors.First().Key}: {errors.First().Value.First()}"
            : $"{errors.Count} fields are invalid: {string.Join(", ", errors.Keys)}.";
}

public sealed class ForbiddenException(string message) : IngotException(message)
{
    public override int Status => 403;
    public override string Slug => "forbidden";
    public override string Title => "Forbidden";
}

/// <summary>A door that was closed on purpose (docs/api-changes.md says where its callers go now).</summary>
public sealed class GoneException(string message) : IngotException(message)
{
    public override int Status => 410;
    public override string Slug => "gone";
    public override string Title => "Gone";
}

/// <summary>A conditional request's precondition (If-Match) does not hold: the resource changed since the caller read it.</summary>
/// <param name="current">The resource's ETag now, or null when it carries none.</param>
public sealed class PreconditionFailedException(string message, string? current) : IngotException(message)
{
    public override int Status => 412;
    public override string Slug => "precondition-failed";
    public override string Title => "Precondition failed";
    public override IReadOnlyDictionary<string, object?> Extensions { get; } = new Dictionary<string, object?> { ["current_etag"] = current };
}

/// <summary>A sign-in that failed: the same answer for an unknown user and a wrong password, so neither can be probed.</summary>
public sealed class SignInFailedException(string message) : IngotException(message)
{
    public override int Status => 401;
    public override string Slug => "sign-in-failed";
    public override string Title => "Sign-in failed";
    public override string? AuditOutcome => "denied";
}

/// <summary>Too many failed sign-ins from this user or source: try again after <c>retry_after_seconds</c>.</summary>
public sealed class TooManySignInsException(string message, TimeSpan retryAfter) : IngotException(message)
{
    public override int Status => 429;
    public override string Slug => "too-many-sign-ins";
    public override string Title => "Too many failed sign-ins";
    public override string? AuditOutcome => "denied";
    public TimeSpan RetryAfter => retryAfter;
    public override IReadOnlyDictionary<string, object?> Extensions { get; } =
        new Dictionary<string, object?> { ["retry_after_seconds"] = (int)Math.Ceiling(retryAfter.TotalSeconds) };
}
