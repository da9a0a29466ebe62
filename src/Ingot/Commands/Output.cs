using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingot.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ingot.Commands;

/// <summary>Where a verb prints its result: the server's records as JSON (-o json), or tables and lines for
/// people. Notes (cursors, hints) go to stderr so that stdout stays the result alone.
/// Text output goes through <see cref="EscapingWriter"/>, so control characters from the server's records are shown,
/// not obeyed (<see cref="TerminalText"/>).</summary>
internal sealed class Output(CliContext context, OutputFormat format)
{
    private readonly EscapingWriter text = new(context.Out);
    private readonly EscapingWriter notes = new(context.Error);

    // The API's own JSON shape (snake_case, enums as strings), indented for reading, so `-o json` parses
    // back into the client's records.
    // Printed to a terminal or a pipe, never embedded in HTML, so "O'Brien" stays as it is rather than O\u0027Brien;
    // this encoder still escapes control characters, so -o json cannot drive the terminal either.
    private static readonly JsonSerializerOptions Json = new(IngotJson.Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    // Beyond a terminal (a pipe, a file, a test) nothing limits the width, and Spectre's fallback of 80
    // columns would wrap machine rows mid-name, which breaks grep and awk.
    private const int UnlimitedWidth = 4096;

    public OutputFormat Format { get; } = format;
    public bool IsJson => Format == OutputFormat.Json;

    public async Task JsonAsync<T>(T value, CancellationToken ct)
    {
        await context.Out.WriteLineAsync(JsonSerializer.Serialize(value, Json).AsMemory(), ct);
        await context.Out.FlushAsync(ct);
    }

    /// <summary>Writes <paramref name="value"/> as JSON, or what <paramref name="render"/> makes of it.</summary>
    public async Task WriteAsync<T>(T value, Func<T, IRenderable> render, CancellationToken ct)
    {
        if (IsJson) await JsonAsync(value, ct);
        else await RenderAsync(render(value), ct);
    }

    public async Task RenderAsync(IRenderable renderable, CancellationToken ct)
    {
        Console().Write(renderable);
        await context.Out.FlushAsync(ct);
    }

    public async Task LineAsync(string text, CancellationToken ct)
    {
        await this.text.WriteLineAsync(text.AsMemory(), ct);
        // Progress lines (jobs watch) must reach a pipe as they happen, not when the command ends.
        await this.text.FlushAsync(ct);
    }

    /// <summary>Whether stdout is a terminal someone is watching (not a pipe, a file or a test's capture):
    /// only then may a verb redraw a live display in place.</summary>
    public bool IsTerminal => !IsJson && new AnsiConsoleOutput(context.Out).IsTerminal;

    /// <summary>A console that moves the cursor and uses colour, for live displays on a terminal.</summary>
    public IAnsiConsole LiveConsole() => AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });

    public async Task NoteAsync(string text, CancellationToken ct) => await notes.WriteLineAsync(text.AsMemory(), ct);

    private IAnsiConsole Console()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new EscapedConsoleOutput(context.Out),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!console.Profile.Out.IsTerminal) console.Profile.Width = UnlimitedWidth;
        return console;
    }

    /// <summary>A borderless table, header first, columns three spaces apart (as kubectl prints): easy on
    /// the eye, and each row stays one line that grep, awk and cut can work with.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.None);
        foreach (var column in columns) table.AddColumn(new TableColumn(new Text(column)).PadLeft(0).PadRight(3));
        return table;
    }

    /// <summary>Label and value pairs, one a line, for a single record.</summary>
    public static Grid Details(params (string Label, object? Value)[] fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (label, value) in fields) grid.AddRow(new Text(label + ":"), new Text(Cell(value)));
        return grid;
    }

    /// <summary>Adds a row of plain text: values never go through Spectre markup, so a '[' in a
    /// description prints as itself. A missing value shows as '-'.</summary>
    public static void Row(Table table, params object?[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(Cell(c))));

    /// <summary>A value as one line of a table or a detail: control characters, newlines included, escaped
    /// (<see cref="TerminalText"/>), so a row stays a row in the live display too.</summary>
    public static string Cell(object? value) => TerminalText.Escape(value switch
    {
        null => "-",
        string s => s.Length == 0 ? "-" : s,
        bool b => b ? "yes" : "no",
        DateTimeOffset d => Time(d),
        Enum e => JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()),
        IEnumerable<string> list => list.Any() ? string.Join(", ", list) : "-",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
    });

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
