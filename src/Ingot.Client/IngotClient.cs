using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Ingot.Client;

/// <summary>Typed access to an Ingot server's REST API. Every failure the server reports arrives as an
/// <see cref="IngotApiException"/> carrying its problem details.</summary>
public sealed partial class IngotClient
{
    private readonly HttpClient http;

    /// <param name="http">An HttpClient whose BaseAddress is the server URL.</param>
    public IngotClient(HttpClient http, string? token)
    {
        this.http = http;
        if (!string.IsNullOrEmpty(token))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public IngotClient(Uri server, string? token) : this(new HttpClient { BaseAddress = server }, token) { }

    public Uri? Server => http.BaseAddress;

    internal Task<T> GetAsync<T>(string path, CancellationToken ct) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Get, path), ct);

    internal Task<T> PostAsync<T>(string path, object? body, CancellationToken ct) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) }, ct);

    internal Task<T> PatchAsync<T>(string path, object body, CancellationToken ct) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Patch, path) { Content = Json(body) }, ct);

    internal async Task DeleteAsync(string path, CancellationToken ct)
    {
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), ct);
        await ThrowIfProblemAsync(response, ct);
    }

    internal Task<T> PostTextAsync<T>(string path, string text, string mediaType, CancellationToken ct) =>
        SendAsync<T>(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(text, Encoding.UTF8, mediaType),
        }, ct);

    private static JsonContent? Json(object? body) =>
        body is null ? null : JsonContent.Create(body, body.GetType(), options: IngotJson.Options);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        using (var response = await http.SendAsync(request, ct))
        {
            await ThrowIfProblemAsync(response, ct);
            var value = await response.Content.ReadFromJsonAsync<T>(IngotJson.Tolerant, ct);
            return value ?? throw new IngotApiException(new Problem
            {
                Title = "Empty response", Status = (int)response.StatusCode,
                Detail = $"{request.Method} {request.RequestUri} returned no body.",
            });
        }
    }

    private static async Task ThrowIfProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        Problem? problem = null;
        try { problem = JsonSerializer.Deserialize<Problem>(body, IngotJson.Tolerant); }
        catch (JsonException) { /* not a problem document: described below from the raw response */ }
        problem ??= new Problem();
        problem.Status ??= (int)response.StatusCode;
        problem.Title ??= response.ReasonPhrase;
        problem.Detail ??= string.IsNullOrWhiteSpace(body) ? $"HTTP {(int)response.StatusCode}" : body;
        throw new IngotApiException(problem);
    }

    internal static string Query(params (string Name, object? Value)[] pairs)
    {
        var parts = pairs
            .Where(p => p.Value is not null && !(p.Value is string s && s.Length == 0))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Format(p.Value!))}")
            .ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        DateTimeOffset d => d.ToString("O"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    internal static string Segment(string value) => Uri.EscapeDataString(value);
}
