using Ingot.Bmc.Ipmi;

namespace Ingot.Bmc.Tests.Ipmi;

public sealed class ReplayWindowTests
{
    [Fact]
    public void Accepts_NewAndLateNumbersOnce_RefusesRepeatsAndTheTooOld()
    {
        var window = new ReplayWindow();
        Assert.True(window.Accept(10));
        Assert.False(window.Accept(10));
        Assert.True(window.Accept(12));
        Assert.True(window.Accept(11)); // late but inside the window
        Assert.False(window.Accept(11));
        Assert.True(window.Accept(100));
        Assert.False(window.Accept(12)); // 88 behind: outside the window
        Assert.True(window.Accept(69));
    }
}
