using Ingot.Server.Jobs;

namespace Ingot.Server.Tests.Jobs;

public sealed class BackoffTests
{
    private static readonly Backoff Schedule = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), Jitter: 0.5);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 10)] // capped
    [InlineData(40, 10)]
    public void WithoutJitter_DelaysDoubleUpToTheCap(int attempt, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Schedule.Delay(attempt, random: 0));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(10)]
    public void Jitter_OnlyShortens_AndAtMostByItsFraction(int attempt)
    {
        var full = Schedule.Delay(attempt, random: 0);
        var delays = Enumerable.Range(0, 2000).Select(_ => Schedule.Delay(attempt)).ToList();
        Assert.All(delays, d => Assert.InRange(d, full * 0.5, full));
        // Spread out, not one value: the point of jitter is that jobs failing together come back apart.
        Assert.True(delays.Max() - delays.Min() > full * 0.4, $"{delays.Min()}–{delays.Max()}");
    }
}
