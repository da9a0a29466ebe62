using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Inventory;

/// <summary>What a machine is for and what it runs, as installs and recycles change it: hostname and role (DESIGN.md §1:
/// a machine has a hostname only while it has a role), and the image installed on its disks.</summary>
public static class MachineAssignment
{
    /// <summary>Gives the machine a hostname and/or a role (null keeps the present one).</summary>
    /// <exception cref="ConflictException">The hostname is another machine's, or the role is gone.</exception>
    public static async Task AssignAsync(DataContext c, long machineId, string? hostname, string? role, DateTimeOffset now)
    {
        int rows;
        try
        {
            rows = await c.ExecuteAsync(
                """
                UPDATE machines SET hostname = COALESCE(@hostname, hostname),
                    role_id = CASE WHEN @role IS NULL THEN role_id ELSE (SELECT id FROM roles WHERE name = @role) END, updated_at = @now
                WHERE id = @machineId AND (@role IS NULL OR EXISTS (SELECT 1 FROM roles WHERE name = @role))
                """, new { machineId, hostname, role, now });
        }
        catch (Exception e) when (DbErrors.IsUniqueViolation(e))
        {
            throw new ConflictException($"hostname '{hostname}' was taken by another machine since the job was queued");
        }
        if (rows == 0 && role is not null) throw new ConflictException($"no role named '{role}' (deleted since the job was queued?)");
    }

    /// <summary>Clears the machine's role, hostname and image: a recycled machine belongs to nobody.</summary>
    public static Task ReleaseAsync(DataContext c, long machineId, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE machines SET role_id = NULL, hostname = NULL, image = NULL, installed_at = NULL, updated_at = @now WHERE id = @machineId",
            new { machineId, now });

    /// <summary>Records the image installed on the machine's disks, and when.</summary>
    public static Task RecordInstallAsync(DataContext c, long machineId, string image, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE machines SET image = @image, installed_at = @now WHERE id = @machineId", new { machineId, image, now });

    /// <summary>Clears the recorded image: the disks were wiped, and a machine showing an image its disks no longer hold
    /// would mislead whoever reads it.</summary>
    public static Task ClearImageAsync(DataContext c, long machineId, DateTimeOffset now) =>
        c.ExecuteAsync("UPDATE machines SET image = NULL, installed_at = NULL, updated_at = @now WHERE id = @machineId", new { machineId, now });
}
