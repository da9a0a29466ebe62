using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Tests.Infrastructure;

/// <summary>What one `ingot` run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>stdout read back with the API's own JSON options (which refuse unknown fields).</summary>
    public T Json<T>() => JsonSerializer.Deserialize<T>(Out, IngotJson.Options)
        ?? throw new InvalidOperationException("stdout was JSON null");

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}--- stderr\n{Error}";
}

/// <summary>Runs `ingot` in-process as a user would: its own environment variables, config file (in a
/// temporary directory of its own) and stdin; stdout and stderr captured.</summary>
public sealed class CliRunner : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ingot-cli-").FullName;

    public CliRunner() => ConfigPath = Path.Combine(directory, "config", "ingot", "config.json");

    /// <summary>A runner pointed at <paramref name="server"/> through INGOT_URL and INGOT_TOKEN (the admin's unless given).</summary>
    public static CliRunner For(TestServer server, string? token = null)
    {
        var runner = new CliRunner();
        runner.Environment["INGOT_URL"] = server.Url.ToString();
        runner.Environment["INGOT_TOKEN"] = token ?? server.AdminToken;
        return runner;
    }

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public string ConfigPath { get; }
    public string Stdin { get; set; } = "";

    /// <summary>A file in this runner's private directory.</summary>
    public string File(string name, string content)
    {
        var path = Path.Combine(directory, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs until the command ends or <paramref name="ct"/> interrupts it (as Ctrl-C would).</summary>
    public async Task<CliResult> RunAsync(CancellationToken ct, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => Environment.GetValueOrDefault(name), ConfigPath, new StringReader(Stdin));
        var exit = await Cli.RunAsync(args, context, ct);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and asserts success, showing everything printed when it failed.</summary>
    public async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"ingot {string.Join(' ', args)}\n{result}");
        return result;
    }

    /// <summary>Runs and asserts failure with <paramref name="exitCode"/> and nothing on stdout.</summary>
    public async Task<CliResult> FailsAsync(int exitCode, params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}: ingot {string.Join(' ', args)}\n{result}");
        Assert.Equal("", result.Out);
        Assert.DoesNotContain("   at ", result.Error); // never a stack trace for an expected failure
        return result;
    }

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
