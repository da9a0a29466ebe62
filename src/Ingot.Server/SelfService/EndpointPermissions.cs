using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Ingot.Server.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using static Ingot.Server.Api.Permissions;

namespace Ingot.Server.SelfService;

/// <summary>Enforces <see cref="Permissions.Endpoints"/> once for every endpoint, so the table docs/authorization.md
/// shows is the one that holds and no endpoint can forget its check: operator and admin rows are refused here, before
/// the body is read; owner and self rows pass to the endpoint, which knows whose the machine, job or token is. An
/// endpoint mapped without a row is refused to everyone (fail closed; AuthorizationMatrixTests names it first).</summary>
public static partial class EndpointPermissions
{
    [GeneratedRegex(":[^}]+}")]
    private static partial Regex Constraint();

    /// <summary>"METHOD /route" as the table writes it: "{id:long}" is "{id}".</summary>
    public static string Key(string method, RouteEndpoint endpoint) => $"{method} /{Constraint().Replace(endpoint.RoutePattern.RawText!.Trim('/'), "}")}";

    /// <summary>Inside the problem handler and the audit, after authentication, like TokenScopes.</summary>
    public static void UseEndpointPermissions(this IApplicationBuilder app)
    {
        var rows = Endpoints.ToDictionary(r => r.Endpoint, StringComparer.Ordinal);
        var found = new ConcurrentDictionary<(Endpoint, string), EndpointRow?>();
        app.Use(async (context, next) =>
        {
            var method = context.Request.Method;
            // Endpoints of the framework's own (405 Method Not Allowed) carry no methods of ours and answer nothing.
            if (context.GetEndpoint() is RouteEndpoint endpoint
                && endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase) == true)
            {
                var row = found.GetOrAdd((endpoint, method), k => rows.GetValueOrDefault(Key(k.Item2.ToUpperInvariant(), (RouteEndpoint)k.Item1)))
                    ?? throw new ForbiddenException($"{method} {endpoint.RoutePattern.RawText} has no row in the permission table (Api/Permissions.cs); it is refused until it has one.");
                if (row.Who != Access.Anonymous && context.User.Identity?.IsAuthenticated != true)
                {
                    await context.ChallengeAsync();
                    return;
                }
                if (row.Who == Access.Operator) Caller.From(context).RequireOperator(row.What);
                if (row.Who == Access.Admin) Caller.From(context).RequireAdmin(row.What);
            }
            await next(context);
        });
    }
}
