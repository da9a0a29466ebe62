using System.CommandLine;

namespace Ingot.Commands;

/// <summary>The in-use hook of a role or a site (docs/authorization.md), as `create` and `update` of roles and sites take
/// it; `update` also clears the URL ("") and turns fail-open off (`--in-use-hook-fail-open false`).</summary>
internal sealed class InUseHookOptions(string what)
{
    /// <summary>`update`'s fail-open: true or false, absent keeps it.</summary>
    public Option<bool?> SetFailOpen { get; } = new("--in-use-hook-fail-open")
    {
        Description = "true: when the hook does not answer, let the action through; false: refuse it (the default).",
    };

    public Option<string?> Url { get; } = new("--in-use-hook")
    {
        Description = $"URL the server asks before erasing the {what}'s machines (reimage, wipe_disks, recycle, decommission); a machine it names is refused.",
    };

    public Option<bool> FailOpen { get; } = new("--in-use-hook-fail-open")
    {
        Description = "When the hook does not answer, let the action through (default: refuse it).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(FailOpen);
    }

    /// <summary>The hook as a table shows it.</summary>
    public static string? Show(string? url, bool failOpen) => url is null ? null : failOpen ? $"{url} (fails open)" : url;

    public (string? Url, bool? FailOpen) From(ParseResult parse) => (parse.GetValue(Url), parse.GetValue(FailOpen) ? true : null);

    /// <summary>For `update`: the URL ("" removes it) and fail-open, each null when not given.</summary>
    public void AddUpdatesTo(Command command)
    {
        Url.Description += " \"\" removes it.";
        command.Options.Add(Url);
        command.Options.Add(SetFailOpen);
    }

    public (string? Url, bool? FailOpen) Updates(ParseResult parse) => (parse.GetValue(Url), parse.GetValue(SetFailOpen));
}
