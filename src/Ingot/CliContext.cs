namespace Ingot;

/// <summary>What a command may touch of the outside world: its output streams, environment variables,
/// the config file and standard input. Tests run commands in-process with their own context.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, Func<string, string?> Environment, string ConfigPath, TextReader In)
{
    public static CliContext FromProcess() => new(
        Console.Out, Console.Error, System.Environment.GetEnvironmentVariable, DefaultConfigPath(), Console.In);

    /// <summary>$INGOT_CONFIG, else $XDG_CONFIG_HOME/ingot/config.json, else ~/.config/ingot/config.json.</summary>
    public static string DefaultConfigPath()
    {
        var explicitPath = System.Environment.GetEnvironmentVariable("INGOT_CONFIG");
        if (!string.IsNullOrEmpty(explicitPath)) return explicitPath;
        var home = System.Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (string.IsNullOrEmpty(home))
            home = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(home, "ingot", "config.json");
    }
}
