using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

public static class SkuEndpoints
{
    public static void MapSkus(this RouteGroupBuilder api)
    {
        var skus = api.MapGroup("/skus").WithTags("SKUs");
        skus.MapGet("", ListAsync);
        skus.MapGet("/{name}", GetAsync);
        skus.MapPost("", CreateAsync);
        skus.MapPatch("/{name}", UpdateAsync);
        skus.MapDelete("/{name}", DeleteAsync);
    }

    private const string Columns = "id, name, cpu_cores, memory_gb, disk_count, disk_gb, nic_count, description, created_at, boot_mode, hourly_price";
    private const string Select = "SELECT " + Columns + " FROM skus";

    private static async Task<Ok<List<SkuView>>> ListAsync(Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok((await c.QueryAsync<SkuRow>(Select + " ORDER BY name")).Select(r => r.View()).ToList());
    }

    private static async Task<Ok<SkuView>> GetAsync(string name, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<SkuRow>(Select + " WHERE name = @name", new { name });
        return TypedResults.Ok(row?.View() ?? throw new NotFoundException("SKU", name));
    }

    private static async Task<Created<SkuView>> CreateAsync(SkuCreate body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var name = v.Slug("name", body.Name, "SKU");
        CheckHardware(v, body, required: true);
        var bootMode = BootModes.Override(body.BootMode, "boot_mode", v);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        try
        {
            var row = await c.QuerySingleAsync<SkuRow>(
                $"""
                INSERT INTO skus (name, cpu_cores, memory_gb, disk_count, disk_gb, nic_count, description, created_at, boot_mode, hourly_price)
                VALUES (@name, @CpuCores, @MemoryGb, @DiskCount, @DiskGb, @NicCount, @description, @now, @bootMode, @HourlyPrice)
                RETURNING {Columns}
                """,
                new
                {
                    name, body.CpuCores, body.MemoryGb, body.DiskCount, body.DiskGb, body.NicCount, body.HourlyPrice,
                    description = Blank(body.Description), now = clock.GetUtcNow(), bootMode = Blank(bootMode),
                });
            return TypedResults.Created($"/api/v1/skus/{name}", row.View());
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new ConflictException($"SKU '{name}' already exists; change it with PATCH /api/v1/skus/{name}.");
        }
    }

    /// <summary>Absent fields keep their value; an empty description or boot mode clears it.</summary>
    private static async Task<Ok<SkuView>> UpdateAsync(string name, SkuCreate body, HttpContext http, Database db, CancellationToken ct)
    {
        Preconditions.RequireUntaggedMatch(http, "SKUs");
        var v = new Validation();
        v.When(body.Name is not null && body.Name != name, "name",
            "a SKU cannot be renamed, because machines and requests refer to it by name; create a new one instead.");
        CheckHardware(v, body, required: false);
        var bootMode = BootModes.Override(body.BootMode, "boot_mode", v);
        v.ThrowIfInvalid();
        await using var c = await db.OpenAsync(ct);
        // COALESCE in SQL rather than read-modify-write, so two concurrent partial edits both land.
        var row = await c.QuerySingleOrDefaultAsync<SkuRow>(
            $"""
            UPDATE skus SET
                cpu_cores = COALESCE(@CpuCores, cpu_cores),
                memory_gb = COALESCE(@MemoryGb, memory_gb),
                disk_count = COALESCE(@DiskCount, disk_count),
                disk_gb = COALESCE(@DiskGb, disk_gb),
                nic_count = COALESCE(@NicCount, nic_count),
                hourly_price = COALESCE(@HourlyPrice, hourly_price),
                description = CASE WHEN @setDescription THEN @description ELSE description END,
                boot_mode = CASE WHEN @setBootMode THEN @bootMode ELSE boot_mode END
            WHERE name = @name
            RETURNING {Columns}
            """,
            new
            {
                name, body.CpuCores, body.MemoryGb, body.DiskCount, body.DiskGb, body.NicCount, body.HourlyPrice,
                setDescription = body.Description is not null, description = Blank(body.Description),
                setBootMode = bootMode is not null, bootMode = Blank(bootMode),
            });
        return TypedResults.Ok(row?.View() ?? throw new NotFoundException("SKU", name));
    }

    private static async Task<NoContent> DeleteAsync(string name, HttpContext http, Database db, CancellationToken ct)
    {
        await ReferencedRows.DeleteAsync(db, "DELETE FROM skus WHERE name = @name", new { name }, () => new NotFoundException("SKU", name),
            async c => $"SKU '{name}' is used by {await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM machines m JOIN skus s ON s.id = m.sku_id WHERE s.name = @name", new { name })} machine(s); change their SKU first.", ct);
        return TypedResults.NoContent();
    }

    private const decimal MaxHourlyPrice = 1_000_000m;

    // Bounds wide enough for any real server and narrow enough to catch a unit mix-up (MB for GB, bytes for GB).
    private static void CheckHardware(Validation v, SkuCreate body, bool required)
    {
        v.Range("cpu_cores", body.CpuCores, 1, 4096, required);
        v.Range("memory_gb", body.MemoryGb, 1, 65536, required);
        v.Range("disk_count", body.DiskCount, 0, 256, required);
        v.Range("disk_gb", body.DiskGb, 0, 1_000_000, required);
        v.Range("nic_count", body.NicCount, 0, 64, required);
        v.When(body.HourlyPrice is < 0 or > MaxHourlyPrice, "hourly_price", $"must be from 0 to {MaxHourlyPrice:N0} per hour, not {body.HourlyPrice}.");
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private sealed class SkuRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public int CpuCores { get; init; }
        public int MemoryGb { get; init; }
        public int DiskCount { get; init; }
        public int DiskGb { get; init; }
        public int NicCount { get; init; }
        public string? Description { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? BootMode { get; init; }
        public decimal? HourlyPrice { get; init; }
        public SkuView View() => new(Id, Name, CpuCores, MemoryGb, DiskCount, DiskGb, NicCount, Description, CreatedAt, BootMode, Wire.Plain(HourlyPrice));
    }
}
