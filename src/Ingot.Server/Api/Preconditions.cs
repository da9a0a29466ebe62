using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Ingot.Server.Api;

/// <summary>If-Match on a resource that carries no entity tag (sites, SKUs, roles: edited rarely, by admins) is never
/// ignored: per RFC 9110 §13.1.1 a list of tags matches no representation without one, so the request fails with 412
/// and changes nothing; "*" matches any resource that exists. A client that guards its writes learns it cannot here,
/// instead of believing it did (issue 11 A.4).</summary>
public static class Preconditions
{
    /// <summary>The request's If-Match tags, or null without the header; 422 when it does not parse.</summary>
    public static IList<EntityTagHeaderValue>? IfMatch(HttpContext http)
    {
        if (http.Request.Headers.IfMatch.Count == 0) return null;
        if (!EntityTagHeaderValue.TryParseList(http.Request.Headers.IfMatch, out var tags) || tags.Count == 0)
            throw new ValidationException("If-Match", "must be \"*\" or a list of quoted entity tags, as sent in an ETag.");
        return tags;
    }

    public static void RequireUntaggedMatch(HttpContext http, string what)
    {
        if (IfMatch(http) is not { } tags || tags.Any(t => t.Equals(EntityTagHeaderValue.Any))) return;
        throw new PreconditionFailedException(
            $"{what} carry no ETag, so If-Match {string.Join(", ", tags)} matches nothing; send If-Match: * or leave it out.", null);
    }
}
