using System.Text;
using Spectre.Console;

namespace Ingot.Commands;

/// <summary>A writer that passes everything through <see cref="TerminalText"/> (newlines kept) on its way to
/// <paramref name="inner"/>: the one door through which the CLI's tables, lines and error messages reach stdout
/// and stderr, so no verb can forget it.</summary>
internal sealed class EscapingWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;
    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value)
    {
        if (TerminalText.NeedsEscape(value, keepNewlines: true)) inner.Write(TerminalText.Escape(value.ToString(), keepNewlines: true));
        else inner.Write(value);
    }

    public override void Write(string? value) => inner.Write(value is null ? null : TerminalText.Escape(value, keepNewlines: true));
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));
    public override void WriteLine(string? value) => inner.WriteLine(value is null ? null : TerminalText.Escape(value, keepNewlines: true));
    public override void Flush() => inner.Flush();

    public override Task WriteAsync(char value) => inner.WriteAsync(TerminalText.Escape(value.ToString(), keepNewlines: true));
    public override Task WriteAsync(string? value) => inner.WriteAsync(value is null ? null : TerminalText.Escape(value, keepNewlines: true));
    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(TerminalText.Escape(buffer.ToString(), keepNewlines: true).AsMemory(), cancellationToken);
    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(value is null ? null : TerminalText.Escape(value, keepNewlines: true));
    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteLineAsync(TerminalText.Escape(buffer.ToString(), keepNewlines: true).AsMemory(), cancellationToken);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override Task FlushAsync() => inner.FlushAsync();
}

/// <summary>Spectre's console output, but writing through an <see cref="EscapingWriter"/>; whether it is a terminal
/// and how wide is asked of the real stream (Spectre only recognises the process's own console writers).</summary>
internal sealed class EscapedConsoleOutput(TextWriter raw) : IAnsiConsoleOutput
{
    private readonly AnsiConsoleOutput real = new(raw);

    public TextWriter Writer { get; } = new EscapingWriter(raw);
    public bool IsTerminal => real.IsTerminal;
    public int Width => real.Width;
    public int Height => real.Height;
    public void SetEncoding(Encoding encoding) => real.SetEncoding(encoding);
}
