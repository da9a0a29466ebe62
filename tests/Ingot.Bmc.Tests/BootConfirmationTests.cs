using Ingot.Bmc;

namespace Ingot.Bmc.Tests;

/// <summary>The one verdict on a boot-device read-back, shared by `ingot bmc bootdev` and the server's boot steps.</summary>
public sealed class BootConfirmationTests
{
    [Fact]
    public void AnotherDevice_IsNotConfirmed_AndSaysWhatWasReadBack()
    {
        var e = Assert.Throws<BootNotConfirmedException>(() => BootConfirmation.Judge("ipmi://bmc:623",
            new BootSettings(BootDevice.Pxe, Uefi: true), new BootSettings(BootDevice.Disk, Persistent: true)));
        Assert.Equal("ipmi://bmc:623: accepted boot device pxe (next boot only, UEFI) but reports disk (persistent, legacy)", e.Message);
        Assert.True(e.IsTransient);
    }

    [Fact]
    public void NoDevice_ForAPxeRequest_IsNotConfirmed_WhateverTheFlags()
    {
        Assert.Throws<BootNotConfirmedException>(() => BootConfirmation.Judge("b",
            new BootSettings(BootDevice.Pxe), new BootSettings(BootDevice.None, Valid: false)));
    }

    [Fact]
    public void AFullEcho_HasNoQuirks()
    {
        var wanted = new BootSettings(BootDevice.Disk, Persistent: true, Uefi: true);
        Assert.Empty(BootConfirmation.Judge("b", wanted, wanted).Quirks);
    }

    [Theory]
    [InlineData(true, true, false, BootQuirks.ValidNotReported)]
    [InlineData(false, true, true, BootQuirks.PersistenceNotReported)]
    [InlineData(true, false, true, BootQuirks.ModeNotReported)]
    public void EachFlagReadBackOtherwise_IsNamed_AndTheDeviceConfirmed(bool persistent, bool uefi, bool valid, string quirk)
    {
        var outcome = BootConfirmation.Judge("b", new BootSettings(BootDevice.Pxe, Persistent: true, Uefi: true),
            new BootSettings(BootDevice.Pxe, persistent, uefi, valid));
        Assert.Equal([quirk], outcome.Quirks);
    }
}
