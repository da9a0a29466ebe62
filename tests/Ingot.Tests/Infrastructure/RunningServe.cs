namespace Ingot.Tests.Infrastructure;

/// <summary>`ingot serve` (or another verb that serves until stopped) run in-process with its own environment, until it
/// says "Ingot serving"; disposing it stops it as Ctrl-C would and asserts it exited 0.</summary>
public sealed record RunningServe(Task<int> Run, CancellationTokenSource Stop, Func<string> Printed) : IAsyncDisposable
{
    public static async Task<RunningServe> StartAsync(string[] args, Dictionary<string, string?> env)
    {
        var buffer = new StringWriter();
        var output = TextWriter.Synchronized(buffer);
        var stop = new CancellationTokenSource();
        var context = new CliContext(output, output, name => env.GetValueOrDefault(name), "/nonexistent/config.json", TextReader.Null);
        var run = Cli.RunAsync(args, context, stop.Token);
        var serve = new RunningServe(run, stop, () => { lock (output) return buffer.ToString(); });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!serve.Printed().Contains("Ingot serving") && !run.IsCompleted && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.False(run.IsCompleted, $"serve stopped early:\n{serve.Printed()}");
        return serve;
    }

    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync();
        Assert.Equal(0, await Run);
        Stop.Dispose();
    }
}
