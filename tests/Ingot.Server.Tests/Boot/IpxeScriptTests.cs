using Ingot.Server.Boot;

namespace Ingot.Server.Tests.Boot;

/// <summary>The scripts iPXE runs, pinned by golden files (Testdata/boot). A change here changes what machines boot:
/// update a golden file deliberately (INGOT_UPDATE_GOLDEN=1 rewrites them in the source tree and fails the run).</summary>
public sealed class IpxeScriptTests
{
    private const string Server = "http://ingot.lon1.example:7420";
    private const string Mac = "02:1a:00:01:02:03";

    public static TheoryData<string, string> Scripts() => new()
    {
        { "bootstrap.ipxe", IpxeScripts.Bootstrap(Server) },
        { "local-pcbios.ipxe", IpxeScripts.Local(efi: false, "in_use") },
        { "local-efi.ipxe", IpxeScripts.Local(efi: true, "in maintenance") },
        {
            "install.ipxe", IpxeScripts.Image(new ImageBoot("install debian-12 job 42", "install", "http://images.example/debian-12/vmlinuz",
                "http://images.example/debian-12/initrd.gz", "console=ttyS0,115200 auto=true", Server, "ingot_TOKEN", Mac))
        },
        {
            "wipe.ipxe", IpxeScripts.Image(new ImageBoot("wipe job 43", "wipe", "http://images.example/wipe/vmlinuz",
                "http://images.example/wipe/initrd.gz", "", Server, "ingot_TOKEN", Mac))
        },
        {
            "discover.ipxe", IpxeScripts.Image(new ImageBoot("discover", "discover", "http://images.example/discovery/vmlinuz",
                "http://images.example/discovery/initrd.gz", "quiet", Server, "ingot_TOKEN", Mac))
        },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_MatchesItsGoldenFile(string file, string script)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Testdata", "boot", file);
        if (Environment.GetEnvironmentVariable("INGOT_UPDATE_GOLDEN") == "1")
        {
            var source = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../Testdata/boot", file));
            File.WriteAllText(source, script);
            Assert.Fail($"rewrote {source}; review the diff and run again without INGOT_UPDATE_GOLDEN");
        }
        Assert.Equal(File.ReadAllText(path), script);
    }

    [Fact]
    public void AStoredValueWithANewline_CannotAddACommandToTheScript()
    {
        var script = IpxeScripts.Image(new ImageBoot("install x", "install", "http://k", "http://i", "quiet\nshell", Server, "t", Mac));
        Assert.DoesNotContain("\nshell", script);
        Assert.Equal(5, script.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
