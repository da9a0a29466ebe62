using Ingot.Commands;

namespace Ingot.Tests.Commands;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("plain text, O'Brien \\ é 日本", false, "plain text, O'Brien \\ é 日本")]
    [InlineData("\u001b[2J\u0007\u007f", false, @"\x1b[2J\x07\x7f")]
    [InlineData("\u009b31m", false, @"\u009b31m")] // C1 CSI, which some terminals obey in UTF-8 too
    [InlineData("a\r\nb\tc", false, @"a\x0d\x0ab\x09c")]
    [InlineData("a\nb\rc", true, "a\nb\\x0dc")] // a bare carriage return would overwrite the line
    public void Escape_shows_every_control_character(string text, bool keepNewlines, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(text, keepNewlines));
}
