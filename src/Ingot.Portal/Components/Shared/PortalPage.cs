using Ingot.Client;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Ingot.Portal.Components.Shared;

/// <summary>A page that reads or acts through the API as the signed-in user. A call the API refuses becomes the page's
/// <see cref="Problem"/> (shown as the API said it); a token that is no longer valid ends the session.</summary>
public abstract class PortalPage : ComponentBase
{
    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;
    [Inject] private PortalApi Portal { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    private IngotClient? client;

    /// <summary>The API as the signed-in user.</summary>
    protected IngotClient Api => client ??= Portal.As(PortalSession.TokenOf(HttpContext.User));

    protected string UserName => PortalSession.NameOf(HttpContext.User);

    /// <summary>What the API refused on this page, if anything.</summary>
    protected Problem? Problem { get; set; }

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>An enum as the API and the CLI write it (in_use, power_cycle).</summary>
    protected static string Wire(Enum value) => WireName.Of(value);

    /// <summary>Runs one API call; a refusal is kept in <see cref="Problem"/> (and default returned), an ended session
    /// signs out and goes to the sign-in page.</summary>
    protected async Task<T?> CallAsync<T>(Func<IngotClient, CancellationToken, Task<T>> call)
    {
        try
        {
            return await call(Api, Aborted);
        }
        catch (IngotApiException e) when (e.Problem.Status == StatusCodes.Status401Unauthorized)
        {
            await PortalSession.SignOutAsync(HttpContext);
            Navigation.NavigateTo("/sign-in?ended=1", forceLoad: true);
            return default;
        }
        catch (IngotApiException e)
        {
            Problem = e.Problem;
            return default;
        }
    }

    protected async Task<bool> CallAsync(Func<IngotClient, CancellationToken, Task> call) =>
        await CallAsync(async (c, ct) => { await call(c, ct); return true; });
}
