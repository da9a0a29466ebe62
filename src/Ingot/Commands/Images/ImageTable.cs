using System.Globalization;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands.Images;

/// <summary>How images look in table output: a row each in `list`, every field in `show` and `create`.</summary>
internal static class ImageTable
{
    public static Table Rows(IEnumerable<ImageView> images)
    {
        var table = Output.Table("NAME", "KIND", "OS", "DEADLINE", "KERNEL");
        foreach (var i in images) Output.Row(table, i.Name, i.Kind, i.Os, Deadline(i), i.KernelUrl);
        return table;
    }

    public static IRenderable Details(ImageView i) => Output.Details(
        ("name", i.Name), ("id", i.Id), ("kind", i.Kind), ("os", i.Os), ("kernel", i.KernelUrl), ("kernel sha256", i.KernelSha256),
        ("initrd", i.InitrdUrl), ("initrd sha256", i.InitrdSha256), ("cmdline", i.Cmdline), ("deadline", Deadline(i)), ("created", i.CreatedAt));

    // Seconds as given to --deadline, so what `show` prints can be typed back.
    private static string Deadline(ImageView i) => i.DeadlineSeconds.ToString(CultureInfo.InvariantCulture) + "s";
}
