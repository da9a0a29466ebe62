using Dapper;
using Ingot.Client;
using Ingot.Server.Api;
using Ingot.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.SelfService.Directory;

/// <summary>POST /api/v1/login/ldap: the directory checks the password (a bind as the user), its groups give the
/// user's teams and grant, and the answer is a token that expires (LdapOptions.TokenLifetime), origin 'ldap'.</summary>
public static class DirectoryLoginEndpoints
{
    public static void MapDirectoryLogin(this RouteGroupBuilder api)
    {
        api.MapGet("/login", (LdapOptions options) => TypedResults.Ok(new SignInMethods(options.Enabled ? ["token", "ldap"] : ["token"])))
            .AllowAnonymous().WithTags("Tokens");
        api.MapPost("/login/ldap", LoginAsync).AllowAnonymous().WithTags("Tokens");
    }

    private static async Task<Ok<TokenCreated>> LoginAsync(DirectoryLogin? body, HttpContext http, Database db, LdapOptions options, LdapDirectory directory,
                                                         SignInOptions throttle, TimeProvider clock, CancellationToken ct)
    {
        if (!options.Enabled) throw new NotFoundException("directory sign-in", "ldap (this server has no ldap.url)");
        var v = new Validation();
        var name = body?.User?.Trim() ?? "";
        v.When(name.Length == 0, "user", "is required: your sign-in name in the directory.");
        v.When(name.Length > 256, "user", "must be at most 256 characters.");
        v.When(string.IsNullOrEmpty(body?.Password), "password", "is required.");
        v.ThrowIfInvalid();
        // The audit names who tried, not "anonymous": failed sign-ins are what its readers look for.
        Audit.Name(http, name.ToLowerInvariant(), "ldap");
        var source = SignInThrottle.SourceOf(http);
        await SignInThrottle.CheckAsync(db, name, source, clock.GetUtcNow(), ct);

        var found = await directory.FindAsync(name, ct);
        if (found is null || !await directory.VerifyAsync(found.Dn, body!.Password!, ct))
        {
            await SignInThrottle.FailedAsync(db, throttle, name, source, clock.GetUtcNow(), ct);
            throw new SignInFailedException("The directory does not know that user with that password.");
        }
        await SignInThrottle.SucceededAsync(db, name, ct);
        if (!UserEndpoints.IsValidName(found.Name.ToLowerInvariant()))
            throw new ConflictException(
                $"The directory's name '{found.Name}' cannot be an Ingot user name (1-128 lower-case letters, digits, '.', '_', '@' and '-'); set ldap.user_attribute to one that is.");
        var access = DirectoryAccounts.AccessOf(found, options);
        var now = clock.GetUtcNow();
        var token = Tokens.Generate();
        var made = await db.InTransactionAsync(async c =>
        {
            if (await DirectoryAccounts.ApplyAsync(c, found, access, now) is not { } userId) return null;
            var expires = now + options.TokenLifetime;
            var tokenName = $"ldap sign-in {now:yyyy-MM-dd HH:mm}";
            var id = await Tokens.InsertAsync(c, userId, tokenName, token, now, expires, DirectoryAccounts.Origin);
            return new TokenCreated(id, tokenName, found.Name.ToLowerInvariant(), token, now, expires);
        }, ct);
        return made is null
            ? throw new ConflictException($"A user '{found.Name.ToLowerInvariant()}' made in Ingot (not from the directory) exists; an admin must delete it before its directory namesake can sign in.")
            : TypedResults.Ok(made);
    }
}
