using System.Security.Claims;
using System.Text.Encodings.Web;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingot.Server.SelfService;

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the hashed tokens in the
/// database; answers a missing or bad token with a 401 problem document saying which it was.</summary>
public sealed class TokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    Database db, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private const string FailureKey = "ingot:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        // /boot is anonymous to the API: its bearer is a boot token, which its endpoints check themselves. Looked up here
        // it cost a query per installer event and logged "not authenticated" for every one (issue 11 B.5).
        if (Request.Path.StartsWithSegments("/boot")) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Fail("The Authorization header must be 'Bearer <token>'.");

        var token = header["Bearer ".Length..].Trim();
        await using var connection = await db.OpenAsync(Context.RequestAborted);
        // The user, their teams, the token's scope and the team of a service account in one statement: a row per team
        // (one row with no team for a user in none). A service account is a member of its team (it cannot be removed from
        // it), so the team's name comes with the memberships: a join fewer for PostgreSQL to plan on every request.
        var rows = (await connection.QueryAsync<TokenRow>(
            """
            SELECT u.id AS user_id, u.name, u.is_admin, u.grant_level, u.operator_sites, t.id AS token_id, t.name AS token_name, t.expires_at, t.scope,
                   u.service_team_id, tm.team_id, tt.name AS team
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            LEFT JOIN team_members tm ON tm.user_id = u.id LEFT JOIN teams tt ON tt.id = tm.team_id
            WHERE t.token_hash = @hash AND u.disabled_at IS NULL
            """, new { hash = Tokens.Hash(token) })).ToList();
        if (rows.Count == 0) return Fail("The bearer token is not known to this server (revoked, or from another server).");
        var row = rows[0];
        if (row.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
            return Fail($"The bearer token expired at {expires:O}; create a new one with 'ingot tokens create'.");

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, row.Name),
            new Claim(Caller.UserIdClaim, row.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(Caller.AdminClaim, row.IsAdmin ? "true" : "false"),
        ], SchemeName);
        if (row.GrantLevel is { } grant) identity.AddClaim(new Claim(Caller.GrantClaim, grant));
        identity.AddClaim(new Claim(Caller.TokenClaim, $"{row.TokenName} (id {row.TokenId.ToString(System.Globalization.CultureInfo.InvariantCulture)})"));
        foreach (var site in row.OperatorSites is null ? [] : System.Text.Json.JsonSerializer.Deserialize<List<string>>(row.OperatorSites) ?? [])
            identity.AddClaim(new Claim(Caller.OperatorSiteClaim, site));
        if (row.Scope is { } scope) identity.AddClaim(new Claim(Caller.ScopeClaim, scope));
        if (row.ExpiresAt is { } at) identity.AddClaim(new Claim(Caller.TokenExpiresClaim, at.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        if (row.ServiceTeamId is { } of && rows.FirstOrDefault(r => r.TeamId == of)?.Team is { } team) identity.AddClaim(new Claim(Caller.ServiceOfClaim, team));
        foreach (var member in rows.Where(r => r.TeamId is not null))
            identity.AddClaim(new Claim(Caller.TeamClaim, $"{member.TeamId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{member.Team}"));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var detail = Context.Items[FailureKey] as string
            ?? "This endpoint needs an API token: send 'Authorization: Bearer <token>' (see 'ingot login').";
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, 401, Problems.Build(401, "unauthorized", "Unauthorized", detail, Context));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, 403, Problems.Build(403, "forbidden", "Forbidden",
            "This token may not do that.", Context));

    // Rows are read into settable properties, not positional records: Dapper converts SQLite's
    // INTEGER (long) to bool/int only on property assignment.
    private sealed class TokenRow
    {
        public long UserId { get; init; }
        public string Name { get; init; } = "";
        public bool IsAdmin { get; init; }
        public string? GrantLevel { get; init; }
        public string? OperatorSites { get; init; }
        public long TokenId { get; init; }
        public string TokenName { get; init; } = "";
        public DateTimeOffset? ExpiresAt { get; init; }
        public string? Scope { get; init; }
        public long? ServiceTeamId { get; init; }
        public long? TeamId { get; init; }
        public string? Team { get; init; }
    }
}
