using System.Globalization;
using System.Text;

namespace Ingot.Commands;

/// <summary>What the CLI does with control characters in text it did not write itself (a machine's vendor, a BMC's
/// answer, a server's error detail) before a terminal sees them. A terminal obeys such characters — ESC starts a
/// sequence that can retitle the window, clear the screen or rewrite what was printed above — so every one is shown
/// as a visible escape instead: C0 controls and DEL as <c>\xHH</c> (ESC is <c>\x1b</c>, BEL <c>\x07</c>), C1
/// controls as <c>\u009b</c>. Printable text, '\' included, is left alone: the exact value is in <c>-o json</c>.</summary>
internal static class TerminalText
{
    /// <summary><paramref name="text"/> with every control character escaped; <paramref name="keepNewlines"/> keeps
    /// '\n', for multi-line text whose lines the CLI itself composed (a table cell keeps none, so a row stays a line).</summary>
    public static string Escape(string text, bool keepNewlines = false)
    {
        if (!text.Any(c => NeedsEscape(c, keepNewlines))) return text;
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text) Append(escaped, c, keepNewlines);
        return escaped.ToString();
    }

    public static bool NeedsEscape(char c, bool keepNewlines) => char.IsControl(c) && !(keepNewlines && c == '\n');

    public static void Append(StringBuilder to, char c, bool keepNewlines)
    {
        if (!NeedsEscape(c, keepNewlines)) to.Append(c);
        else if (c < 0x80) to.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
        else to.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
    }
}
