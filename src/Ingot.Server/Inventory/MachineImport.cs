using System.Net.Http.Headers;
using System.Text;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Ingot.Server.Api;

namespace Ingot.Server.Inventory;

/// <summary>Limits of the CSV import, from ServerSettings.</summary>
public sealed record ImportOptions
{
    /// <summary>The largest CSV body, in bytes, that an import accepts; a larger one is a 413. Default 50 MB.</summary>
    public long MaxBytes { get; init; } = 50L * 1024 * 1024;
}

/// <summary>POST /api/v1/machines/import: many machines from one CSV file (docs/csv-import.md). Bad rows are
/// reported by line with every reason; good rows are written even when others are bad (DESIGN.md §5).</summary>
public static class MachineImport
{
    public static void MapImport(this RouteGroupBuilder machines) =>
        machines.MapPost("/import", ImportAsync)
            // Described by hand: Accepts("text/csv") would make routing answer 415 itself, with a detail that
            // also offers JSON, which this endpoint does not take.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The CSV file: a header row, then one row per machine (docs/csv-import.md).",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/csv"] = new() },
                };
                return Task.CompletedTask;
            });

    private static async Task<Ok<ImportResult>> ImportAsync(
        HttpContext http, [FromQuery(Name = "dry_run")] bool? dryRun, Database db, MachineWriter writer, TimeProvider clock,
        CancellationToken ct)
    {
        var caller = Caller.From(http);
        var rows = await ReadAsync(http, CsvEncoding(http.Request), ct);

        Catalog catalog;
        await using (var c = await db.OpenAsync(ct)) catalog = await Catalog.LoadAsync(c);
        var candidates = rows.Select(row => ImportCandidate.From(row, catalog)).ToList();
        ImportChecks.WithinFile(candidates);

        IReadOnlyList<ImportCandidate> accepted;
        if (dryRun == true)
        {
            await using var c = await db.OpenAsync(ct);
            await ImportChecks.AgainstFleetAsync(c, candidates);
            accepted = candidates.Where(r => r.IsGood).ToList();
        }
        else
        {
            // The fleet checks run inside the write transaction, so that on SQLite (one writer at a time)
            // nothing can slip in between them and the inserts.
            accepted = await db.InTransactionAsync(async c =>
            {
                await ImportChecks.AgainstFleetAsync(c, candidates);
                var good = candidates.Where(r => r.IsGood).ToList();
                return await ImportWriter.WriteAsync(c, writer, good, caller.Name, clock.GetUtcNow());
            }, ct);
        }
        return TypedResults.Ok(Result(dryRun == true, candidates, accepted));
    }

    private static ImportResult Result(bool dryRun, IReadOnlyList<ImportCandidate> all, IReadOnlyList<ImportCandidate> accepted)
    {
        var errors = all.Where(r => r.Reasons.Count > 0).OrderBy(r => r.Line)
            .Select(r => new ImportRowError(r.Line, r.ReportedSerial, r.Sentence())).ToList();
        var names = accepted.OrderBy(r => r.Line).Select(r => r.HardwareName!).ToList();
        return new ImportResult(dryRun, names.Count, errors.Count, names, errors);
    }

    /// <summary>The encoding the client declared, or null for UTF-8 (the default, with or without a BOM).</summary>
    private static Encoding? CsvEncoding(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !string.Equals(type.MediaType, "text/csv", StringComparison.OrdinalIgnoreCase))
            throw new BadHttpRequestException(
                $"Unsupported content type '{request.ContentType}'; send the file as text/csv (see docs/csv-import.md).", 415);
        var charset = type.CharSet?.Trim('"');
        if (string.IsNullOrEmpty(charset) || charset.Replace("-", "").Equals("utf8", StringComparison.OrdinalIgnoreCase)) return null;
        try { return Encoding.GetEncoding(charset); }
        catch (ArgumentException)
        {
            throw new BadHttpRequestException($"Unsupported charset '{charset}'; send the CSV as UTF-8.", 415);
        }
    }

    private static async Task<IReadOnlyList<CsvRow>> ReadAsync(HttpContext http, Encoding? encoding, CancellationToken ct)
    {
        var limit = http.RequestServices.GetRequiredService<ImportOptions>().MaxBytes;
        if (http.Request.ContentLength > limit) throw TooLarge(limit);
        // Kestrel's own limit (30 MB by default) is for JSON bodies; an import may be larger, up to its own limit.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        try
        {
            return await CsvRows.ReadAsync(http.Request.Body, encoding, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }
    }

    private static BadHttpRequestException TooLarge(long limit) => new(
        $"The CSV is larger than the import limit of {limit / (1024.0 * 1024):0.#} MB; split it into several files.",
        StatusCodes.Status413PayloadTooLarge);
}
