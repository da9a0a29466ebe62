using System.CommandLine;

namespace Ingot.Commands;

/// <summary>The in-use hook of a role or a site (docs/authorization.md), as `roles create` and `sites create` take it.</summary>
internal sealed class InUseHookOptions(string what)
{
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
}
