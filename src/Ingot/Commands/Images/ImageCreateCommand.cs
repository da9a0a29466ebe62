using System.CommandLine;
using Ingot.Client;

namespace Ingot.Commands.Images;

/// <summary>`ingot images create NAME --kind … --kernel URL --initrd URL`: add an image to the catalog.</summary>
internal static class ImageCreateCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The image's name (lower-case letters, digits and dashes), e.g. ubuntu-24-04." };
        var kind = new Option<string>("--kind")
        {
            Description = "install (an OS installer, for install and reimage), wipe (erases disks, for recycle and " +
                          "decommission) or discovery (inventories new machines).",
            Required = true,
        };
        kind.AcceptOnlyFromAmong("install", "wipe", "discovery");
        var kernel = new Option<string>("--kernel") { Description = "The kernel's http, https or tftp URL.", Required = true, HelpName = "url" };
        var initrd = new Option<string>("--initrd") { Description = "The initrd's http, https or tftp URL.", Required = true, HelpName = "url" };
        var cmdline = new Option<string?>("--cmdline")
        {
            Description = "The kernel command line; Ingot appends its own ingot.* parameters (docs/boot.md).", HelpName = "text",
        };
        var os = new Option<string?>("--os") { Description = "What the image installs, for people, e.g. \"Ubuntu 24.04\".", HelpName = "text" };
        var kernelSha = new Option<string?>("--kernel-sha256") { Description = Checked("kernel"), HelpName = "hex" };
        var initrdSha = new Option<string?>("--initrd-sha256") { Description = Checked("initrd"), HelpName = "hex" };
        var deadline = new Option<int?>("--deadline")
        {
            Description = "Seconds an install may take from boot to 'finished' (30 to 604800). Default: the server's (3600).",
            HelpName = "seconds",
        };
        // URLs, checksums and the deadline's range are the server's checks: it names every bad field in one 422.
        return new Command("create", "Add an image (admins only).") { name, kind, kernel, initrd, cmdline, os, kernelSha, initrdSha, deadline }
            .Set(context, async (s, parse, ct) =>
            {
                var image = await s.Client.CreateImageAsync(new ImageCreate(
                    parse.GetValue(name), Kind(parse.GetValue(kind)!), parse.GetValue(kernel), parse.GetValue(initrd),
                    parse.GetValue(cmdline), parse.GetValue(os), parse.GetValue(kernelSha), parse.GetValue(initrdSha),
                    parse.GetValue(deadline)), ct);
                await s.Output.WriteAsync(image, ImageTable.Details, ct);
                return 0;
            });
    }

    /// <summary>What a checksum buys, exactly (issue 11 B.3: this said "iPXE refuses another", and iPXE never checked).</summary>
    private static string Checked(string file) =>
        $"The {file}'s SHA-256 (64 hex digits). The server downloads the {file} (http or https URLs only) when the image is " +
        $"added and refuses the image if the SHA-256 differs; what machines download later is not checked (docs/boot.md).";

    // The parser has already limited --kind to these three.
    private static ImageKind Kind(string text) => text switch
    {
        "install" => ImageKind.Install,
        "wipe" => ImageKind.Wipe,
        _ => ImageKind.Discovery,
    };
}
