using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Hosting;

/// <summary>Requests Kestrel refuses before the app sees them (a bad request line or target, a request line or headers
/// over their limits), sent over a raw socket as a broken or hostile client would: each is answered with its status and a
/// problem document naming what was wrong, not an empty body.</summary>
public sealed class RejectedRequestTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, int, string, string> Cases() => new()
    {
        // raw request, status, problem type slug, text the detail must contain
        { "GET /api/v1/sites and more HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad-request", "Invalid request line: 'GET /api/v1/sites and more HTTP/1.1" },
        { "GET /api/v1/%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad-request", "Invalid request target: '/api/v1/%00'" },
        { "GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400, "bad-request", "Invalid request header: 'no colon here" },
        { $"GET /api/v1/machines?q={new string('a', 9000)} HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri-too-long", "longer than this server's 8192 bytes" },
        { $"GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nX-Big: {new string('h', 40_000)}\r\n\r\n", 431, "headers-too-large", "32768 bytes in all" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_request_Kestrel_refuses_gets_its_status_and_a_problem_document(string request, int status, string slug, string detail)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Server.Url.Host, fixture.Server.Url.Port);
        var response = Assert.Single(await ExchangeAsync(tcp.GetStream(), request));

        AssertProblem(response, status, slug, detail);
    }

    [Fact]
    public async Task A_bad_request_after_a_good_one_on_the_same_connection_leaves_the_first_answer_whole()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Server.Url.Host, fixture.Server.Url.Port);
        var responses = await ExchangeAsync(tcp.GetStream(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /a b HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(2, responses.Count);
        Assert.Equal((200, "ok"), (responses[0].Status, responses[0].Body));
        AssertProblem(responses[1], 400, "bad-request", "Invalid request line");
    }

    [Fact]
    public async Task A_refused_HEAD_request_gets_its_status_without_a_body()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Server.Url.Host, fixture.Server.Url.Port);
        var response = Assert.Single(await ExchangeAsync(tcp.GetStream(), $"HEAD /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {new string('h', 40_000)}\r\n\r\n"));

        Assert.Equal(431, response.Status);
        Assert.Equal("0", response.Headers["content-length"]);
        Assert.Equal("", response.Body);
    }

    [Fact]
    public async Task Over_https_a_refused_request_gets_a_problem_document_too()
    {
        using var certificates = TestCertificates.Create();
        await using var server = await TestServer.StartAsync(tls: certificates);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Url.Host, server.Url.Port);
        using var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificates.Authority));
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateChainPolicy = new()
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { root },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        });

        var response = Assert.Single(await ExchangeAsync(tls, "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"));
        AssertProblem(response, 400, "bad-request", "Invalid request line: 'GET /a b HTTP/1.1");
    }

    private static void AssertProblem(Response response, int status, string slug, string detail)
    {
        Assert.True(response.Status == status, $"expected {status}:\n{response}");
        Assert.Equal("application/problem+json", response.Headers["content-type"]);
        Assert.Equal("close", response.Headers["connection"]);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(Ingot.Server.Api.Problems.TypeBase + slug, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("detail").GetString()!.Contains(detail, StringComparison.Ordinal), response.ToString());
    }

    /// <summary>Sends <paramref name="request"/> and reads every answer until the server closes the connection.</summary>
    private static async Task<List<Response>> ExchangeAsync(Stream stream, string request)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        await stream.FlushAsync();
        using var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await stream.CopyToAsync(received, timeout.Token); }
        catch (IOException) { /* the server may reset after its last answer; what came before it counts */ }
        return Response.ParseAll(Encoding.UTF8.GetString(received.ToArray()));
    }

    private sealed record Response(int Status, Dictionary<string, string> Headers, string Body)
    {
        /// <summary>HTTP/1.1 answers one after another, each with a Content-Length or chunked.</summary>
        public static List<Response> ParseAll(string text)
        {
            var responses = new List<Response>();
            while (text.Length > 0)
            {
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                Assert.True(end > 0, $"not an HTTP answer: {text}");
                var lines = text[..end].Split("\r\n");
                var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
                text = text[(end + 4)..];
                string body;
                if (headers.TryGetValue("content-length", out var length))
                {
                    body = text[..int.Parse(length)];
                    text = text[body.Length..];
                }
                else
                {
                    body = "";
                    while (true)
                    {
                        var size = Convert.ToInt32(text[..text.IndexOf("\r\n", StringComparison.Ordinal)], 16);
                        text = text[(text.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
                        body += text[..size];
                        text = text[(size + 2)..];
                        if (size == 0) break;
                    }
                }
                responses.Add(new Response(int.Parse(lines[0].Split(' ')[1]), headers, body));
            }
            return responses;
        }

        public override string ToString() => $"{Status} {string.Join(", ", Headers.Select(h => $"{h.Key}: {h.Value}"))}\n{Body}";
    }
}
