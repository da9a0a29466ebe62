namespace Ingot.Portal;

/// <summary>An enum as the API and the CLI write it (in_use, power_cycle, partially_fulfilled).</summary>
internal static class WireName
{
    public static string Of(Enum value) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
