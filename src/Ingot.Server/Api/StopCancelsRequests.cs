using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ingot.Server.Api;

/// <summary>A request's token (what every endpoint passes to its SQL) fires when the client hangs up and also when the
/// node begins to stop: a shutdown then ends the reads in flight at once instead of waiting out the host's shutdown
/// timeout for them, and the requests answer with an error their clients retry on another node.</summary>
public static class StopCancelsRequests
{
    public static void UseStopCancelsRequests(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.Use(async (context, next) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            context.RequestAborted = linked.Token;
            await next(context);
        });
    }
}
