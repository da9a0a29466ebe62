using System.Diagnostics;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Cluster;

/// <summary>One `ingot serve` as a real OS process (`dotnet ingot.dll serve`, the build output copied next to the
/// tests), so that a node can die the way a server dies: <see cref="Kill"/> is SIGKILL, with no shutdown code run.
/// Its stdout and stderr go to a log file whose tail failure messages quote. Dispose kills it if it still runs.</summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly Lock gate = new();
    private bool closed;

    private ServeProcess(string name, Process process, Uri url, string logPath, StreamWriter log)
    {
        Name = name;
        this.process = process;
        Url = url;
        LogPath = logPath;
        this.log = log;
    }

    public string Name { get; }
    public Uri Url { get; }
    public string LogPath { get; }
    public int ProcessId => process.Id;
    public bool HasExited => process.HasExited;

    /// <summary>Starts the server and waits until /readyz answers (its database migrated, its port bound).</summary>
    /// <param name="env">INGOT_* variables; every INGOT_* variable of the test process is dropped first, so only
    /// these reach the server.</param>
    public static async Task<ServeProcess> StartAsync(string name, string dataDirectory, IReadOnlyDictionary<string, string> env, string logPath)
    {
        // A port picked by binding port 0 and releasing it can be taken again before the child binds it: try anew.
        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(name, dataDirectory, env, logPath, new Uri($"http://127.0.0.1:{Ports.Free()}/"));
            try
            {
                await server.WaitReadyAsync(TimeSpan.FromSeconds(30));
                return server;
            }
            catch (Exception) when (attempt < 3 && server.HasExited && server.Tail().Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    private static Process NewProcess(string dataDirectory, IReadOnlyDictionary<string, string> env, Uri url)
    {
        var ingot = Path.Combine(AppContext.BaseDirectory, "ingot.dll");
        if (!File.Exists(ingot)) throw new InvalidOperationException($"{ingot} is missing: Ingot.Tests references src/Ingot, whose build output is copied there");
        var start = new ProcessStartInfo(DotnetHost(), [ingot, "serve", "--data", dataDirectory, "--urls", url.ToString().TrimEnd('/')])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("INGOT_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in env) start.Environment[key] = value;
        return new Process { StartInfo = start };
    }

    private static ServeProcess Launch(string name, string dataDirectory, IReadOnlyDictionary<string, string> env, string logPath, Uri url)
    {
        Directory.CreateDirectory(dataDirectory);
        var process = NewProcess(dataDirectory, env, url);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var server = new ServeProcess(name, process, url, logPath, log);
        process.OutputDataReceived += (_, e) => server.Write(e.Data);
        process.ErrorDataReceived += (_, e) => server.Write(e.Data);
        server.Write($"== {name}: dotnet ingot.dll serve --data {dataDirectory} --urls {url}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>The dotnet host that runs the tests (the SDK sets DOTNET_HOST_PATH for its children), else PATH's.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    private void Write(string? line)
    {
        if (line is null) return;
        lock (gate)
        {
            if (!closed) log.WriteLine(line);
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"{Name} exited with {process.ExitCode} before it was ready.\n{Tail()}");
            try
            {
                using var answer = await http.GetAsync("readyz");
                if (answer.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            catch (TaskCanceledException) { /* busy starting */ }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Name} was not ready after {timeout.TotalSeconds:0} s.\n{Tail()}");
            await Task.Delay(100);
        }
    }

    /// <summary>kill -9: .NET's Process.Kill sends SIGKILL on Unix. No lease is released, no step recorded.</summary>
    public void Kill()
    {
        Write($"== {Name}: killed with SIGKILL by the test");
        process.Kill(entireProcessTree: false);
        process.WaitForExit();
    }

    /// <summary>The last lines of the node's output, for assertion messages.</summary>
    public string Tail(int lines = 40)
    {
        string[] all;
        try
        {
            using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            all = reader.ReadToEnd().Split('\n');
        }
        catch (IOException e)
        {
            return $"--- {Name}: no log ({e.Message})";
        }
        return $"--- {Name} (pid {ProcessId}), last {lines} lines of {LogPath}:\n" + string.Join('\n', all.TakeLast(lines));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException) { /* never started */ }
        catch (TimeoutException) { /* reported by the test that needed it */ }
        lock (gate)
        {
            closed = true;
            log.Dispose();
        }
        process.Dispose();
    }
}
