using System.Text;

namespace Ingot.Portal;

/// <summary>Charts drawn on the server with ScottPlot as SVG, handed to the page as a data: image (the page's CSP allows
/// data: images and no inline style; the SVG's own styles stay inside the image). Every chart's numbers are also in a
/// table beside it, which is what a screen reader and the tests read.</summary>
public static class Charts
{
    private const int Width = 640, Height = 260;

    /// <summary>Bars, one per label.</summary>
    public static string Bars(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string axis)
    {
        var plot = new ScottPlot.Plot();
        var bars = plot.Add.Bars(values.ToArray());
        bars.Color = ScottPlot.Color.FromHex("#0b5cad");
        plot.Axes.Margins(bottom: 0);
        Label(plot, labels);
        plot.Title(title);
        plot.YLabel(axis);
        return DataUri(plot);
    }

    /// <summary>Stacked bars: a series per name, one bar per label.</summary>
    public static string Stacked(string title, IReadOnlyList<string> labels, IReadOnlyList<(string Name, double[] Values)> series, string axis)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bottoms = new double[labels.Count];
        for (var s = 0; s < series.Count; s++)
        {
            var (name, values) = series[s];
            var color = palette.GetColor(s);
            for (var i = 0; i < labels.Count; i++)
            {
                if (values[i] <= 0) continue;
                plot.Add.Bar(new ScottPlot.Bar { Position = i, ValueBase = bottoms[i], Value = bottoms[i] + values[i], FillColor = color });
                bottoms[i] += values[i];
            }
            if (values.Any(v => v > 0)) plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = name, FillColor = color });
        }
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.Axes.Margins(bottom: 0);
        Label(plot, labels);
        plot.Title(title);
        plot.YLabel(axis);
        return DataUri(plot);
    }

    /// <summary>Lines, a series per name over the labels; a null value is a gap (nothing to plot that day).</summary>
    public static string Lines(string title, IReadOnlyList<string> labels, IReadOnlyList<(string Name, double?[] Values)> series, string axis,
                               (double Low, double High)? range = null)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var s = 0; s < series.Count; s++)
        {
            var (name, values) = series[s];
            var xs = Enumerable.Range(0, labels.Count).Where(i => values[i] is not null).Select(i => (double)i).ToArray();
            var ys = Enumerable.Range(0, labels.Count).Where(i => values[i] is not null).Select(i => values[i]!.Value).ToArray();
            if (xs.Length == 0) continue;
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(s));
            line.LegendText = name;
            line.MarkerSize = 6;
        }
        var top = series.SelectMany(x => x.Values).Max() ?? 1;
        var (low, high) = range ?? (0, top <= 0 ? 1 : top * 1.15);
        plot.Axes.SetLimitsY(low, high);
        plot.ShowLegend(ScottPlot.Edge.Right);
        Label(plot, labels);
        plot.Title(title);
        plot.YLabel(axis);
        return DataUri(plot);
    }

    /// <summary>A tick per label, and the whole range shown even where only one day has data.</summary>
    private static void Label(ScottPlot.Plot plot, IReadOnlyList<string> labels)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());
        plot.Axes.SetLimitsX(-0.6, labels.Count - 0.4);
        if (labels.Count > 7 || labels.Any(l => l.Length > 10))
        {
            // Slanted, so that a fortnight of days or long step names do not overlap.
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 8 + 6 * labels.Max(l => l.Length);
        }
    }

    private static string DataUri(ScottPlot.Plot plot) =>
        "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(plot.GetSvgXml(Width, Height)));
}
