using System.Text;

namespace Ingot.Server.Boot;

/// <summary>What one boot should load: an image's kernel and initrd with their command line.</summary>
public sealed record ImageBoot(string Intent, string Mode, string KernelUrl, string InitrdUrl, string Cmdline, string Server, string Token, string Mac);

/// <summary>iPXE scripts as pure functions of what the boot service decided (docs/boot.md). The endpoint only decides;
/// the text is made here and pinned by golden files.</summary>
public static class IpxeScripts
{
    /// <summary>The static script a DHCP server hands to iPXE: chain to the per-machine script with what iPXE knows.</summary>
    public static string Bootstrap(string server) =>
        $"""
        #!ipxe
        # ingot: bootstrap
        chain {server}/boot/ipxe?mac=${"{net0/mac}"}&serial=${"{serial}"}&uuid=${"{uuid}"}&arch=${"{buildarch}"}&platform=${"{platform}"}

        """;

    /// <summary>Boot the local disk. BIOS iPXE hands over to the first disk; UEFI iPXE exits so the firmware's boot
    /// order continues to the disk (sanboot of a local drive is a BIOS notion).</summary>
    public static string Local(bool efi, string reason) =>
        new StringBuilder()
            .Append("#!ipxe\n")
            .Append("# ingot: local (").Append(OneLine(reason)).Append(")\n")
            .Append(efi ? "exit\n" : "sanboot --no-describe --drive 0x80\n")
            .ToString();

    /// <summary>Load an image. Ingot's parameters go last so an image's template cannot drop them.</summary>
    public static string Image(ImageBoot boot) =>
        new StringBuilder()
            .Append("#!ipxe\n")
            .Append("# ingot: ").Append(OneLine(boot.Intent)).Append('\n')
            .Append("kernel ").Append(boot.KernelUrl)
            .Append(boot.Cmdline.Length == 0 ? "" : " " + OneLine(boot.Cmdline))
            .Append(" ingot.mode=").Append(boot.Mode)
            .Append(" ingot.server=").Append(boot.Server)
            .Append(" ingot.token=").Append(boot.Token)
            .Append(" ingot.mac=").Append(boot.Mac).Append('\n')
            .Append("initrd ").Append(boot.InitrdUrl).Append('\n')
            .Append("boot\n")
            .ToString();

    /// <summary>A script line ends at a newline: nothing stored may start another command.</summary>
    private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ').Trim();
}
