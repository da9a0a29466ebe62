namespace Ingot.Simulator.Machines;

/// <summary>What a per-machine script asks the machine to boot (docs/boot.md).</summary>
public enum BootMode { Local, Install, Wipe, Discover }

/// <summary>A per-machine iPXE script as the simulated machine understands it: the <c># ingot: INTENT</c>
/// comment, and the kernel line's <c>ingot.*</c> arguments, which are all a real image ever sees.</summary>
public sealed record BootScript(string Intent, BootMode Mode, IReadOnlyDictionary<string, string> KernelArguments, IReadOnlyList<string> Problems)
{
    public string? Server => KernelArguments.GetValueOrDefault("ingot.server");
    public string? Token => KernelArguments.GetValueOrDefault("ingot.token");
    public string? Mac => KernelArguments.GetValueOrDefault("ingot.mac");

    /// <summary>Reads <paramref name="text"/>. What the script does decides the mode: a kernel line's
    /// <c>ingot.mode</c> (the only thing an image sees), else local for <c>sanboot</c> or <c>exit</c>. The
    /// intent comment is for people; where it disagrees, or the script breaks docs/boot.md in another way,
    /// <see cref="Problems"/> says so, for tests of the real server to catch.</summary>
    /// <exception cref="FormatException">Not an iPXE script, or one that neither loads an image nor boots a disk.</exception>
    public static BootScript Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0 || lines[0] != "#!ipxe") throw new FormatException("the script does not start with #!ipxe");
        var problems = new List<string>();
        var intent = lines.FirstOrDefault(l => l.StartsWith("# ingot:", StringComparison.Ordinal))?["# ingot:".Length..].Trim();
        if (intent is null) problems.Add("no '# ingot: INTENT' line");
        else if (lines.IndexOf("# ingot: " + intent) != 1) problems.Add("the '# ingot:' line is not the second line");

        var kernel = lines.FirstOrDefault(l => l.StartsWith("kernel ", StringComparison.Ordinal));
        var arguments = kernel is null ? new Dictionary<string, string>() : Arguments(kernel);
        var mode = kernel is not null
            ? ModeOf(arguments.GetValueOrDefault("ingot.mode")) ?? throw new FormatException($"the kernel line has no valid ingot.mode: {kernel}")
            : lines.Any(l => l == "exit" || l.StartsWith("sanboot", StringComparison.Ordinal))
                ? BootMode.Local
                : throw new FormatException("the script neither loads a kernel nor boots the local disk");
        if (kernel is not null)
        {
            foreach (var name in new[] { "ingot.server", "ingot.token", "ingot.mac" })
                if (!arguments.ContainsKey(name)) problems.Add($"the kernel line has no {name}");
            if (!lines.Contains("boot")) problems.Add("the script loads a kernel but never says 'boot'");
            if (!lines.Any(l => l.StartsWith("initrd ", StringComparison.Ordinal))) problems.Add("the script loads a kernel but no initrd");
        }
        var intentMode = intent?.Split(' ', 2)[0] is { } word ? ModeOf(word) : null;
        if (intent is not null && intentMode != mode)
            problems.Add($"the intent '{intent}' disagrees with what the script boots ({mode.ToString().ToLowerInvariant()})");
        return new BootScript(intent ?? "", mode, arguments, problems);
    }

    /// <summary>The kernel line's <c>name=value</c> words; the last of a repeated name wins, as in Linux.</summary>
    private static Dictionary<string, string> Arguments(string kernel) =>
        kernel.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2)
            .Where(w => w.Contains('='))
            .Select(w => (Name: w[..w.IndexOf('=')], Value: w[(w.IndexOf('=') + 1)..]))
            .GroupBy(a => a.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    private static BootMode? ModeOf(string? word) => word switch
    {
        "install" => BootMode.Install,
        "wipe" => BootMode.Wipe,
        "discover" => BootMode.Discover,
        "local" => BootMode.Local,
        _ => null,
    };
}
