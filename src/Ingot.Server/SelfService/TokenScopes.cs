using Ingot.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.SelfService;

/// <summary>A scoped token's writes (docs/authorization.md), checked once for every endpoint so that none added later
/// forgets it: a read-only token may only GET and HEAD; an action-scoped one may also reach the job and batch
/// submissions (marked <see cref="TokenScope.Submission"/>), which check the action itself (Caller.RequireScope).</summary>
public static class TokenScopes
{
    /// <summary>After authentication (it reads the token's scope from the caller) and inside the problem handler and the
    /// audit, so a refusal is a problem document and an audit row like any other 403.</summary>
    public static void UseTokenScopes(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        // An endpoint anyone may call without a token (a sign-in) is not narrowed by the token that came along.
        if (request.Path.StartsWithSegments("/api") && context.User.Identity?.IsAuthenticated == true
            && context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null
            && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && Caller.From(context) is { Scope: { } scope } caller
            && (scope.ReadOnly || context.GetEndpoint()?.Metadata.GetMetadata<TokenScope.Submission>() is null))
            throw new ForbiddenException(
                $"This token of '{caller.Name}' is scoped to {scope.Describe()}; it may not {request.Method} {request.Path}. " +
                "Use a token without a scope for that ('ingot tokens create').");
        await next(context);
    });
}
