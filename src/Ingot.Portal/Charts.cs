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
        Label(plot, labels);
        plot.Axes.Margins(bottom: 0);
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
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = name, FillColor = color });
        }
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        Label(plot, labels);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(axis);
        return DataUri(plot);
    }

    private static void Label(ScottPlot.Plot plot, IReadOnlyList<string> labels) =>
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), labels.ToArray());

    private static string DataUri(ScottPlot.Plot plot) =>
        "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(plot.GetSvgXml(Width, Height)));
}
