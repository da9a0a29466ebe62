using System.CommandLine;
using Ingot.Client;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Tokens;

/// <summary>`ingot tokens create|list|revoke`: API tokens for people and automation.</summary>
internal static class TokenCommands
{
    public static Command Create(CliContext context) => new("tokens", "API tokens: create, list, revoke.")
    {
        New(context), List(context), Revoke(context),
    };

    private static Command New(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "What the token is for, e.g. ci-deploy." };
        var user = new Option<string?>("--user") { Description = "Make the token for this user (admins only); default: yourself." };
        var expires = new Option<DateTimeOffset?>("--expires-at") { Description = "When the token stops working (ISO 8601, e.g. 2030-01-31T00:00:00Z)." };
        var readOnly = new Option<bool>("--read-only") { Description = "The token may only read (GET); every change it tries is refused." };
        var actions = new Option<string[]>("--action")
        {
            Description = "The token may only read and submit jobs and batches of this action (repeatable), e.g. --action power_cycle --action reboot.",
            HelpName = "action",
        };
        var command = new Command("create", "Create an API token. It is printed once; the server keeps only its hash.") { name, user, expires, readOnly, actions };
        command.Validators.Add(r =>
        {
            if (r.GetValue(readOnly) && r.GetValue(actions) is { Length: > 0 }) r.AddError("--read-only and --action exclude each other: an action-scoped token reads too.");
        });
        return command
            .Set(context, async (s, parse, ct) =>
            {
                IReadOnlyList<string>? scope = parse.GetValue(readOnly) ? ["read"] : parse.GetValue(actions) is { Length: > 0 } a ? a : null;
                var created = await s.Client.CreateTokenAsync(new TokenCreate(parse.GetValue(name), parse.GetValue(user), parse.GetValue(expires), scope), ct);
                if (s.Output.IsJson)
                {
                    await s.Output.JsonAsync(created, ct);
                    return 0;
                }
                // The token alone on stdout, so TOKEN=$(ingot tokens create) captures exactly it; the rest is for people.
                await s.Output.LineAsync(created.Token, ct);
                await s.Output.NoteAsync(
                    $"Token {created.Id} '{created.Name}' for {created.User}, {Scope(created.Scope)}, expires {(created.ExpiresAt is { } at ? Output.Time(at) : "never")}. " +
                    "Store it now: it cannot be shown again.", ct);
                return 0;
            });
    }

    private static Command List(CliContext context) =>
        new Command("list", "List API tokens (never their values).").Set(context, async (s, _, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListTokensAsync(ct), Table, ct);
            return 0;
        });

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<long>("id") { Description = "The token's id (see 'ingot tokens list')." };
        return new Command("revoke", "Revoke an API token: it stops working at once.") { id }.Set(context, async (s, parse, ct) =>
        {
            await s.Client.DeleteTokenAsync(parse.GetValue(id), ct);
            if (!s.Output.IsJson) await s.Output.LineAsync($"Revoked token {parse.GetValue(id)}.", ct);
            return 0;
        });
    }

    private static IRenderable Table(IReadOnlyList<TokenView> tokens)
    {
        // ORIGIN last: scripts that read the columns before it by position keep working.
        var table = Output.Table("ID", "NAME", "USER", "SCOPE", "CREATED", "BY", "EXPIRES", "ORIGIN");
        foreach (var token in tokens)
            Output.Row(table, token.Id, token.Name, token.User, Scope(token.Scope), token.CreatedAt, token.CreatedBy, token.ExpiresAt, token.Origin);
        return table;
    }

    /// <summary>"full" for a token with its user's rights, else "read" or its actions (docs/authorization.md).</summary>
    public static string Scope(IReadOnlyList<string>? scope) => scope is null ? "full" : string.Join(",", scope);
}
