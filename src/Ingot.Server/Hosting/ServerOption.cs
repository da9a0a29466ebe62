using System.Globalization;

namespace Ingot.Server.Hosting;

/// <summary>One setting of <c>ingot serve</c>, declared once (<see cref="ServerOptions.All"/>): its name, its environment
/// variable and flag, its doc line, how it reads and checks a value (the range is in the parser's message), and where it
/// lives in <see cref="ServerSettings"/>. Reading, validating at start-up and printing the configuration all go through
/// here, so they cannot disagree.</summary>
public sealed record ServerOption(
    string Name,
    string Doc,
    Func<ServerSettings, string?> Get,
    Func<ServerSettings, string, ServerSettings> Set,
    bool Secret = false)
{
    /// <summary>INGOT_ and the name upper-cased: jobs.workers → INGOT_JOBS_WORKERS.</summary>
    public string Variable => "INGOT_" + Name.Replace('.', '_').ToUpperInvariant();

    /// <summary>--jobs-workers for jobs.workers.</summary>
    public string Flag => "--" + Name.Replace('.', '-').Replace('_', '-');

    public static ServerOption Int(string name, int min, int max, string doc, Func<ServerSettings, int> get, Func<ServerSettings, int, ServerSettings> set) =>
        new(name, doc, s => get(s).ToString(CultureInfo.InvariantCulture), (s, text) =>
            int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? set(s, v) : throw new FormatException($"a whole number from {min} to {max}"));

    public static ServerOption Long(string name, long min, long max, string doc, Func<ServerSettings, long> get, Func<ServerSettings, long, ServerSettings> set) =>
        new(name, doc, s => get(s).ToString(CultureInfo.InvariantCulture), (s, text) =>
            long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? set(s, v) : throw new FormatException($"a whole number from {min} to {max}"));

    public static ServerOption Seconds(string name, double min, double max, string doc, Func<ServerSettings, TimeSpan> get, Func<ServerSettings, TimeSpan, ServerSettings> set) =>
        new(name, doc, s => get(s).TotalSeconds.ToString(CultureInfo.InvariantCulture), (s, text) =>
            double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? set(s, TimeSpan.FromSeconds(v)) : throw new FormatException($"a number of seconds from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}"));

    public static ServerOption Bool(string name, string doc, Func<ServerSettings, bool> get, Func<ServerSettings, bool, ServerSettings> set) =>
        new(name, doc, s => get(s) ? "true" : "false", (s, text) => text.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => set(s, true),
            "false" or "0" or "no" => set(s, false),
            _ => throw new FormatException("true or false"),
        });

    /// <param name="check">Throws <see cref="FormatException"/> with what is expected when the text is not acceptable.</param>
    public static ServerOption Text(string name, string doc, Func<ServerSettings, string?> get, Func<ServerSettings, string?, ServerSettings> set,
                                    bool secret = false, Action<string>? check = null) =>
        new(name, doc, get, (s, text) =>
        {
            var value = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
            if (value is not null) check?.Invoke(value);
            return set(s, value);
        }, secret);
}
