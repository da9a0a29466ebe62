using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

/// <summary>/api/v1/images: the OS images that installs, wipes and discovery boot.</summary>
public static class ImageEndpoints
{
    public static void MapImages(this RouteGroupBuilder api)
    {
        var images = api.MapGroup("/images").WithTags("Images");
        images.MapGet("", ListAsync);
        images.MapGet("/{name}", GetAsync);
        images.MapPost("", CreateAsync);
        images.MapDelete("/{name}", DeleteAsync);
    }

    private static async Task<Ok<List<ImageView>>> ListAsync(Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok((await c.QueryAsync<ImageRow>(ImageRow.Select + " ORDER BY name")).Select(r => r.View()).ToList());
    }

    private static async Task<Ok<ImageView>> GetAsync(string name, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok((await ImageRow.FindAsync(c, name) ?? throw new NotFoundException("image", name)).View());
    }

    private static async Task<Created<ImageView>> CreateAsync(ImageCreate body, HttpContext http, Database db, ImageChecksums checksums,
                                                              TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Slug("name", body.Name, "image");
        if (body.Kind is null) v.Add("kind", $"is required: {Wire.Names<ImageKind>()}.");
        var kernel = Url(v, "kernel_url", body.KernelUrl);
        var initrd = Url(v, "initrd_url", body.InitrdUrl);
        v.Range("deadline_seconds", body.DeadlineSeconds, 30, 7 * 24 * 3600);
        Sha256(v, "kernel_sha256", body.KernelSha256);
        Sha256(v, "initrd_sha256", body.InitrdSha256);
        if (body.Cmdline?.Contains('\n') == true) v.Add("cmdline", "must be one line.");
        v.ThrowIfInvalid();
        // A clash is told before the files are downloaded for nothing (the insert below still decides a race), and no
        // connection is held while they are.
        await using (var check = await db.OpenAsync(ct))
            if (await ImageRow.FindAsync(check, name!) is not null) throw Clash(name);
        await checksums.CheckAsync(v, [new("kernel", kernel, body.KernelSha256), new("initrd", initrd, body.InitrdSha256)], ct);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        try
        {
            await c.ExecuteAsync(
                """
                INSERT INTO images (name, kind, os, kernel_url, initrd_url, cmdline, kernel_sha256, initrd_sha256, deadline_seconds, created_at)
                VALUES (@name, @kind, @os, @kernel, @initrd, @cmdline, @kernelSha, @initrdSha, @deadline, @now)
                """,
                new
                {
                    name, kind = Wire.Name(body.Kind!.Value), os = body.Os, kernel, initrd, cmdline = body.Cmdline?.Trim() ?? "",
                    kernelSha = body.KernelSha256?.ToLowerInvariant(), initrdSha = body.InitrdSha256?.ToLowerInvariant(),
                    deadline = body.DeadlineSeconds ?? 3600, now = clock.GetUtcNow(),
                });
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw Clash(name);
        }
        var view = (await ImageRow.FindAsync(c, name!))!.View();
        return TypedResults.Created($"/api/v1/images/{name}", view);
    }

    private static ConflictException Clash(string? name) => new($"An image named '{name}' already exists.");

    private static async Task<NoContent> DeleteAsync(string name, HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        if (await c.ExecuteAsync("DELETE FROM images WHERE name = @name", new { name }) == 0) throw new NotFoundException("image", name);
        return TypedResults.NoContent();
    }

    private static string? Url(Validation v, string field, string? text)
    {
        var value = v.Required(field, text);
        if (value is not null && !(Uri.TryCreate(value, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" or "tftp"))
            v.Add(field, $"'{value}' is not an http, https or tftp URL.");
        return value;
    }

    private static void Sha256(Validation v, string field, string? text)
    {
        if (text is not null && !(text.Length == 64 && text.All(Uri.IsHexDigit))) v.Add(field, "must be 64 hex digits.");
    }
}
