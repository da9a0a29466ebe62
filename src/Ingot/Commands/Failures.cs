using System.Net.Http;
using System.Text.Json;
using Ingot.Client;

namespace Ingot.Commands;

/// <summary>Turns the failures a client verb expects — the server's problem details, an unreachable server,
/// a usage mistake — into a few lines on stderr and an exit code. Anything else is a bug and keeps its
/// stack trace.</summary>
internal static class Failures
{
    public const int ServerError = 1;

    /// <param name="connection">The connection in use once resolved, to name the server and the token's source.</param>
    public static async Task<int> GuardAsync(CliContext context, Func<Connection?> connection, Func<Task<int>> body, CancellationToken ct)
    {
        try
        {
            return await body();
        }
        catch (UsageException e)
        {
            await WriteAsync(context, $"error: {e.Message}");
            return UsageException.ExitCode;
        }
        catch (IngotApiException e)
        {
            await WriteAsync(context, Describe(e.Problem, connection()));
            return ServerError;
        }
        catch (HttpRequestException e) when (e.InnerException is System.Security.Authentication.AuthenticationException tls)
        {
            var trusted = connection()?.Authority is { } ca ? $"the CA in {ca.Path} (from {ca.Source})" : "this system's CAs";
            await WriteAsync(context, $"error: the TLS connection to {Where(connection())} failed: {tls.Message.TrimEnd('.')}. The server's certificate " +
                                      $"must be signed by {trusted}; name the CA that signed it with --ca-certificate or {Connection.AuthorityVariable}.");
            return ServerError;
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            await WriteAsync(context, $"error: cannot reach the Ingot server at {Where(connection())}: {reason}. Is it running, and is the URL right?");
            return ServerError;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation nobody asked for.
            await WriteAsync(context, $"error: the Ingot server at {Where(connection())} did not answer in time.");
            return ServerError;
        }
        catch (JsonException e)
        {
            // A 2xx answer this client cannot read: another service at the URL, or a server newer than the client.
            await WriteAsync(context, $"error: the answer from {Where(connection())} is not what this ingot expects ({e.Message}). " +
                                      "Is the URL an Ingot server of the same version?");
            return ServerError;
        }
    }

    /// <summary>The problem's title and status, its detail, then each offending field (or line, or host)
    /// with each reason on a line of its own.</summary>
    /// <param name="subject">What the request was about (a host, a job) when one command makes many requests
    /// and goes on after a refusal, so each error line says which one it was.</param>
    public static string Describe(Problem problem, Connection? connection, string? subject = null)
    {
        var about = subject is null ? "" : subject + ": ";
        var lines = new List<string> { $"error: {about}{problem.Title ?? "request failed"} ({problem.Status}): {CliWording(problem.Detail)}" };
        var entries = (problem.Errors ?? []).SelectMany(e => e.Value.Select(reason => $"{e.Key}: {CliWording(reason)}")).ToList();
        // The server sums up a single invalid field as exactly "field: reason"; repeating it below says nothing new.
        if (entries is not [var only] || only != problem.Detail)
            lines.AddRange(entries.Select(entry => "  " + entry));
        if (problem.Status == 401 && connection is not null)
            lines.Add($"  The token came from {connection.TokenSource}; pass another with --token or {Connection.TokenVariable}, or run 'ingot login'.");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>A server's sentence as a CLI user acts on it: the API's <c>force: true</c> is this CLI's --force (the
    /// server may already say so in brackets, for single jobs).</summary>
    public static string CliWording(string? text) =>
        (text ?? "").Replace(JobActions.ForceHint + " (ingot: --force)", "pass --force", StringComparison.Ordinal)
            .Replace(JobActions.ForceHint, "pass --force", StringComparison.Ordinal);

    private static string Where(Connection? connection) => connection?.Url.ToString() ?? "the configured URL";

    // The server's detail quotes what it was sent (a hostname, a CSV field), so it is escaped like any text output.
    public static async Task WriteAsync(CliContext context, string text)
    {
        var error = new EscapingWriter(context.Error);
        await error.WriteLineAsync(text);
        await error.FlushAsync();
    }
}
