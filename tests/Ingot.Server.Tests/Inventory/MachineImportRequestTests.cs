using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.SelfService;

namespace Ingot.Server.Tests.Inventory;

/// <summary>The import request as a whole: who may send it, in what form and how big; the failures that
/// reject the entire file rather than some of its lines.</summary>
public sealed class MachineImportRequestTests(MachineFixture fixture) : IClassFixture<MachineFixture>
{
    private IngotClient Admin => fixture.Admin;

    [Fact]
    public async Task A_declared_charset_is_honoured()
    {
        var serial = Unique.Serial();
        var body = Encoding.Latin1.GetBytes($"serial,vendor\r\n{serial},Société Générale\r\n");
        using var response = await fixture.Server.PostCsvAsync(new ByteArrayContent(body), "text/csv; charset=iso-8859-1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Société Générale", (await Admin.GetMachineAsync("hw-" + serial.ToLowerInvariant())).Vendor);
    }

    [Theory]
    [InlineData("serial,colour,weight\nX1,red,3\n", "unknown column 'colour'")]
    [InlineData("vendor,model\nDell,R650\n", "the required column 'serial' is missing")]
    [InlineData("serial,Serial\nX1,X2\n", "column 'serial' appears twice")]
    [InlineData("serial,vendor\r\n", "has a header row but no machine rows")]
    [InlineData("", "the file is empty")]
    [InlineData("\uFEFF", "the file is empty")]
    public async Task A_file_without_a_usable_header_or_rows_is_422(string csv, string expected)
    {
        using var response = await fixture.Server.PostCsvAsync(new StringContent(csv, Encoding.UTF8, "text/csv"), null);
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(expected, problem.Detail);
    }

    [Fact]
    public async Task Unknown_columns_are_all_named()
    {
        using var response = await fixture.Server.PostCsvAsync(new StringContent("serial,colour,Weight\nX1,red,3\n", Encoding.UTF8, "text/csv"), null);
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        var header = problem.Errors!["header"];
        Assert.Contains(header, r => r.Contains("'colour'"));
        Assert.Contains(header, r => r.Contains("'Weight'"));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task Anything_but_text_csv_is_415(string contentType)
    {
        using var response = await fixture.Server.PostCsvAsync(new StringContent("serial\nX1\n", Encoding.UTF8, contentType), null);
        var problem = await response.ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("text/csv", problem.Detail);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var content = new ByteArrayContent(new byte[50 * 1024 * 1024 + 1]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/machines/import") { Content = content };
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        // The server answers before reading the body; with 100-continue the client does not send it at all.
        request.Headers.ExpectContinue = true;
        using var http = fixture.Server.Http();
        using var response = await http.SendAsync(request);
        var problem = await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("50 MB", problem.Detail);
    }

    [Fact]
    public async Task A_streamed_body_that_grows_over_the_limit_is_413()
    {
        // No Content-Length: the server only finds out while reading, and must still answer with a problem.
        var rows = Encoding.UTF8.GetBytes("serial\n" + string.Concat(Enumerable.Range(0, 1000).Select(i => $"SN{i:D60}\n")));
        var content = new StreamContent(new Repeating(rows, 51L * 1024 * 1024));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var http = fixture.Server.Http();
        using var response = await http.PostAsync("api/v1/machines/import", content);
        var problem = await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("50 MB", problem.Detail);
    }

    /// <summary>A non-seekable stream of <paramref name="total"/> bytes, sent chunked because its length is unknown.</summary>
    private sealed class Repeating(byte[] block, long total) : Stream
    {
        private long sent;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => sent; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(Math.Min(count, block.Length), total - sent);
            Array.Copy(block, 0, buffer, offset, n);
            sent += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Importing_needs_an_admin()
    {
        var user = await Accounts.CreateAsync(fixture.Server);
        var serial = Unique.Serial();
        var error = await Assert.ThrowsAsync<IngotApiException>(() => user.Client.ImportMachinesAsync($"serial\n{serial}\n"));
        Assert.Equal(403, error.Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Admin.GetMachineAsync("hw-" + serial.ToLowerInvariant()))).Status);
    }
}

public static class ImportRequests
{
    /// <summary>Posts <paramref name="content"/> to the import with the Content-Type given (none when null).</summary>
    public static async Task<HttpResponseMessage> PostCsvAsync(this TestServer server, HttpContent content, string? contentType, string query = "")
    {
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var http = server.Http();
        return await http.PostAsync("api/v1/machines/import" + query, content);
    }
}
