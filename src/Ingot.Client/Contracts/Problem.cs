using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingot.Client;

/// <summary>An RFC 9457 problem details document as Ingot sends it. <see cref="Errors"/> maps a field
/// (or a host, or a CSV line) to what is wrong with it; <see cref="Extensions"/> keeps everything else.</summary>
public sealed class Problem
{
    public string? Type { get; set; }
    public string? Title { get; set; }
    public int? Status { get; set; }
    public string? Detail { get; set; }
    public string? Instance { get; set; }
    public Dictionary<string, string[]>? Errors { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }

    public override string ToString()
    {
        var text = $"{Title ?? "error"} ({Status}): {Detail}";
        if (Errors is { Count: > 0 })
            text += Environment.NewLine + string.Join(Environment.NewLine,
                Errors.Select(e => $"  {e.Key}: {string.Join("; ", e.Value)}"));
        return text;
    }
}

/// <summary>Thrown by <see cref="IngotClient"/> when the server answers with a problem.</summary>
public sealed class IngotApiException(Problem problem) : Exception(problem.ToString())
{
    public Problem Problem { get; } = problem;
    public int Status => Problem.Status ?? 0;
}
