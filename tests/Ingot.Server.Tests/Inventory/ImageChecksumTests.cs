using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Inventory;

/// <summary>Issue 11 B.3: an image with a wrong <c>kernel_sha256</c> booted under a real iPXE although the CLI said "iPXE
/// refuses another". The server checks the checksums itself: it downloads the files when the image is added, and
/// refuses the image when one differs (docs/boot.md).</summary>
public sealed class ImageChecksumTests(ServerFixture fixture, ImageFileServerFixture files)
    : IClassFixture<ServerFixture>, IClassFixture<ImageFileServerFixture>
{
    private IngotClient Admin => fixture.Server.Admin;

    private (string Url, string Sha256) Put(string what) =>
        files.Files.Put($"{Unique.Name(what)}/{what}", System.Text.Encoding.UTF8.GetBytes($"the {what} of {Guid.NewGuid()}"));

    [Fact]
    public async Task An_image_whose_kernel_differs_from_its_checksum_is_refused_naming_the_field_and_the_files_real_checksum()
    {
        var (kernel, kernelSha) = Put("vmlinuz");
        var (initrd, initrdSha) = Put("initrd.img");
        var wrong = new string('0', 64);
        var name = Unique.Name("debian");

        var refused = await Assert.ThrowsAsync<IngotApiException>(() => Admin.CreateImageAsync(
            new ImageCreate(name, ImageKind.Install, kernel, initrd, KernelSha256: wrong, InitrdSha256: initrdSha)));

        Assert.Equal(422, refused.Problem.Status);
        Assert.Equal(["kernel_sha256"], refused.Problem.Errors!.Keys);
        Assert.Equal($"does not match the kernel at {kernel}: its SHA-256 is {kernelSha}. Correct the checksum, or the file.",
            Assert.Single(refused.Problem.Errors["kernel_sha256"]));
        Assert.DoesNotContain(await Admin.ListImagesAsync(), i => i.Name == name);
    }

    [Fact]
    public async Task An_image_whose_files_match_their_checksums_is_added_once_both_were_downloaded()
    {
        var (kernel, kernelSha) = Put("vmlinuz");
        var (initrd, initrdSha) = Put("initrd.img");

        var image = await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, kernel, initrd,
            KernelSha256: kernelSha.ToUpperInvariant(), InitrdSha256: initrdSha));

        Assert.Equal((kernelSha, initrdSha), (image.KernelSha256, image.InitrdSha256));
        Assert.Equal(1, files.Files.Downloads[new Uri(kernel).AbsolutePath.TrimStart('/')]);
        Assert.Equal(1, files.Files.Downloads[new Uri(initrd).AbsolutePath.TrimStart('/')]);
    }

    [Fact]
    public async Task A_checksum_of_a_file_that_cannot_be_downloaded_or_sits_on_tftp_is_refused_saying_why()
    {
        var missing = new Uri(files.Files.Url, $"{Unique.Name("gone")}/vmlinuz").ToString();
        var sha = new string('a', 64);

        var refused = await Assert.ThrowsAsync<IngotApiException>(() => Admin.CreateImageAsync(new ImageCreate(
            Unique.Name("debian"), ImageKind.Install, missing, "tftp://10.0.0.1/initrd.img", KernelSha256: sha, InitrdSha256: sha)));

        Assert.Equal(422, refused.Problem.Status);
        Assert.Equal("could not be downloaded to check kernel_sha256: the server answered HTTP 404 Not Found",
            Assert.Single(refused.Problem.Errors!["kernel_url"]));
        Assert.StartsWith("cannot be checked on a tftp URL: Ingot checks a checksum by downloading the initrd over http or https.",
            Assert.Single(refused.Problem.Errors["initrd_sha256"]));
    }

    [Fact]
    public async Task An_image_without_checksums_is_added_without_downloading_anything()
    {
        var (kernel, _) = Put("vmlinuz");
        var (initrd, _) = Put("initrd.img");

        await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, kernel, initrd));

        Assert.False(files.Files.Downloads.ContainsKey(new Uri(kernel).AbsolutePath.TrimStart('/')));
        Assert.False(files.Files.Downloads.ContainsKey(new Uri(initrd).AbsolutePath.TrimStart('/')));
    }
}
