using System.Text.Json;
using System.Text.Json.Nodes;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Hosting;

/// <summary>The API's contract is committed (docs/api/openapi-v1.json): a change to any route, parameter or record shows
/// up as a failing test and a reviewed diff of that file, with a line in docs/api-changes.md, never as a surprise to a
/// client. To accept an intended change, run the test with INGOT_UPDATE_OPENAPI=1 and commit the file.</summary>
public sealed class OpenApiContractTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public async Task The_served_document_is_the_committed_one()
    {
        using var http = fixture.Server.Http();
        var served = Normalise(await http.GetStringAsync("openapi/v1.json"));
        var path = Path.Combine(Repository.Root, "docs", "api", "openapi-v1.json");
        if (Environment.GetEnvironmentVariable("INGOT_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(path, served);

        Assert.True(File.Exists(path), $"{path} is missing; run this test with INGOT_UPDATE_OPENAPI=1 to write it.");
        var committed = await File.ReadAllTextAsync(path);
        if (committed == served) return;
        var copy = Path.Combine(Path.GetTempPath(), "ingot-openapi-served.json");
        await File.WriteAllTextAsync(copy, served);
        Assert.Fail($"The served OpenAPI document differs from {path} (served copy: {copy}; 'diff {path} {copy}'). " +
                    "If the change is intended, run with INGOT_UPDATE_OPENAPI=1, commit the file and say so in docs/api-changes.md.");
    }

    /// <summary>Indented, without <c>servers</c> (the address the test server happened to listen on).</summary>
    private static string Normalise(string document)
    {
        var node = JsonNode.Parse(document)!.AsObject();
        node.Remove("servers");
        return node.ToJsonString(Indented) + "\n";
    }
}
