using System.CommandLine;

namespace Ingot.Commands.Images;

/// <summary>`ingot images list|show|create|delete`: the catalog of OS images that installs, wipes and discovery
/// boot over the network (docs/boot.md).</summary>
internal static class ImagesCommand
{
    public static Command Create(CliContext context) => new("images", "OS images machines network-boot (install, wipe, discovery): list, show, create, delete.")
    {
        List(context), Show(context), ImageCreateCommand.Create(context), Delete(context),
    };

    private static Command List(CliContext context) =>
        new Command("list", "List the images, by name.").Set(context, async (s, _, ct) =>
        {
            await s.Output.WriteAsync(await s.Client.ListImagesAsync(ct), ImageTable.Rows, ct);
            return 0;
        });

    private static Command Show(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The image's name." };
        return new Command("show", "Show one image: kind, OS, kernel and initrd URLs and checksums, command line, deadline.") { name }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Output.WriteAsync(await s.Client.GetImageAsync(parse.GetValue(name)!, ct), ImageTable.Details, ct);
                return 0;
            });
    }

    private static Command Delete(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The image to delete." };
        return new Command("delete", "Delete an image (admins only). Jobs already running keep the image they booted.") { name }
            .Set(context, async (s, parse, ct) =>
            {
                await s.Client.DeleteImageAsync(parse.GetValue(name)!, ct);
                // -o json: nothing to print, the server answers 204; the exit code says it worked.
                if (!s.Output.IsJson) await s.Output.LineAsync($"Deleted image {parse.GetValue(name)}.", ct);
                return 0;
            });
    }
}
