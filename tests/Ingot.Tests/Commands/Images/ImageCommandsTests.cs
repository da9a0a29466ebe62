using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Images;

/// <summary>images create, list, show and delete against a real server, and the server's refusals on stderr.</summary>
public sealed class ImageCommandsTests(ServerFixture fixture, ImageFileServerFixture files)
    : IClassFixture<ServerFixture>, IClassFixture<ImageFileServerFixture>
{
    [Fact]
    public async Task Create_list_show_delete_round_trip()
    {
        using var cli = CliRunner.For(fixture.Server);
        var name = Unique.Name("ubuntu");
        // The server downloads files that come with a checksum to check it: these are served on loopback.
        var (kernel, kernelSha) = files.Files.Put($"{name}/vmlinuz", "a kernel"u8.ToArray());
        var (initrd, initrdSha) = files.Files.Put($"{name}/initrd.img", "an initrd"u8.ToArray());

        var created = await cli.OkAsync("images", "create", name, "--kind", "install", "--kernel", kernel,
            "--initrd", initrd, "--cmdline", "console=ttyS0 quiet", "--os", "Ubuntu 24.04",
            "--kernel-sha256", kernelSha, "--initrd-sha256", initrdSha.ToUpperInvariant(), "--deadline", "900");
        Assert.Matches($@"name:\s+{name}", created.Out);
        Assert.Matches(@"cmdline:\s+console=ttyS0 quiet", created.Out);
        Assert.Equal("", created.Error);

        var list = await cli.OkAsync("images", "list");
        Assert.Equal(["NAME", "KIND", "OS", "DEADLINE", "KERNEL"], Lines.Cells(Lines.Of(list.Out)[0]));
        Assert.Equal([name, "install", "Ubuntu", "24.04", "900s", kernel], Lines.Row(list.Out, name));

        var shown = await cli.OkAsync("images", "show", name);
        Assert.Matches(@"kind:\s+install", shown.Out);
        Assert.Matches($@"initrd:\s+{System.Text.RegularExpressions.Regex.Escape(initrd)}", shown.Out);
        Assert.Matches($@"initrd sha256:\s+{initrdSha}", shown.Out); // the server keeps checksums lower-case
        Assert.Matches(@"deadline:\s+900s", shown.Out);

        var json = (await cli.OkAsync("images", "show", name, "-o", "json")).Json<ImageView>();
        Assert.Equal((ImageKind.Install, "Ubuntu 24.04", 900, kernelSha), (json.Kind, json.Os, json.DeadlineSeconds, json.KernelSha256));
        Assert.Contains((await cli.OkAsync("images", "list", "-o", "json")).Json<List<ImageView>>(), i => i.Name == name);

        var deleted = await cli.OkAsync("images", "delete", name);
        Assert.Equal($"Deleted image {name}.", deleted.Out.Trim());
        var gone = await cli.FailsAsync(1, "images", "show", name);
        Assert.StartsWith("error: Not found (404):", gone.Error);
    }

    [Fact]
    public async Task Create_with_json_output_prints_the_image_and_takes_the_servers_default_deadline()
    {
        using var cli = CliRunner.For(fixture.Server);
        var name = Unique.Name("wipe");

        var image = (await cli.OkAsync("images", "create", name, "--kind", "wipe", "--kernel", "tftp://10.0.0.1/vmlinuz",
            "--initrd", "tftp://10.0.0.1/initrd", "-o", "json")).Json<ImageView>();

        Assert.Equal((name, ImageKind.Wipe, 3600, ""), (image.Name, image.Kind, image.DeadlineSeconds, image.Cmdline));
        Assert.Equal("", (await cli.OkAsync("images", "delete", name, "-o", "json")).Out);
    }

    [Fact]
    public async Task A_bad_url_is_the_servers_422_on_stderr()
    {
        using var cli = CliRunner.For(fixture.Server);
        var name = Unique.Name("bad");

        var result = await cli.FailsAsync(1, "images", "create", name, "--kind", "install", "--kernel", "ftp://images.example/vmlinuz",
            "--initrd", "not a url");

        Assert.StartsWith("error: Invalid request (422):", result.Error);
        Assert.Contains(Lines.Of(result.Error), line => line.StartsWith("  kernel_url: 'ftp://images.example/vmlinuz' is not", StringComparison.Ordinal));
        Assert.Contains(Lines.Of(result.Error), line => line.StartsWith("  initrd_url: ", StringComparison.Ordinal));
        Assert.DoesNotContain(await fixture.Server.Admin.ListImagesAsync(), i => i.Name == name);
    }

    [Fact]
    public async Task Create_accepts_only_the_known_kinds()
    {
        using var cli = CliRunner.For(fixture.Server);
        var result = await cli.RunAsync("images", "create", Unique.Name("x"), "--kind", "rescue", "--kernel", "http://a/k", "--initrd", "http://a/i");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("rescue", result.Error);
    }

    [Fact]
    public async Task Images_help_lists_every_verb_and_create_its_options()
    {
        using var cli = new CliRunner();
        var images = await cli.OkAsync("images", "--help");
        foreach (var verb in new[] { "list", "show <name>", "create <name>", "delete <name>" })
            Assert.Contains(Environment.NewLine + "  " + verb + " ", images.Out);
        var create = await cli.OkAsync("images", "create", "--help");
        foreach (var option in new[] { "--kind <discovery|install|wipe>", "--kernel <url>", "--initrd <url>", "--cmdline <text>", "--os <text>",
                     "--kernel-sha256 <hex>", "--initrd-sha256 <hex>", "--deadline <seconds>", "-o, --output <json|table>" })
            Assert.Contains(option, create.Out);
        Assert.Contains("The server downloads the kernel (http or https URLs only) when the image is added and refuses the image if the SHA-256 differs",
            string.Join(" ", create.Out.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("iPXE refuses", create.Out);
    }

    [Fact]
    public async Task A_wrong_checksum_is_the_servers_422_naming_the_files_real_one()
    {
        using var cli = CliRunner.For(fixture.Server);
        var name = Unique.Name("debian");
        var (kernel, kernelSha) = files.Files.Put($"{name}/vmlinuz", "a kernel"u8.ToArray());

        var result = await cli.FailsAsync(1, "images", "create", name, "--kind", "install", "--kernel", kernel, "--initrd", kernel,
            "--kernel-sha256", new string('f', 64));

        Assert.StartsWith("error: Invalid request (422):", result.Error);
        Assert.Contains($"kernel_sha256: does not match the kernel at {kernel}: its SHA-256 is {kernelSha}.", result.Error);
        Assert.DoesNotContain(await fixture.Server.Admin.ListImagesAsync(), i => i.Name == name);
    }
}
