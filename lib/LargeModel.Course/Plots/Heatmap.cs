using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using Chart = Plotly.NET.CSharp.Chart;

namespace LargeModel.Course.Plots;

public static partial class Charts
{
    /// <summary>
    /// A heatmap of values[row, column], e.g. attention weights with the queries (rows, y axis) and the keys they
    /// attend to (columns, x axis). Row 0 is at the top, as in a matrix. Cells are placed by position and labelled
    /// with the given text, so repeated tokens ("l", "l") keep their own rows and columns.
    /// </summary>
    public static GenericChart Heatmap(float[,] values, string[] xLabels, string[] yLabels, string? title = null, string xTitle = "key", string yTitle = "query")
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        if (xLabels.Length != columns || yLabels.Length != rows)
            throw new ArgumentException($"The values are {rows}×{columns} but there are {yLabels.Length} y labels and {xLabels.Length} x labels.");
        var z = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, columns).Select(c => (double)values[r, c]).ToArray()).ToArray();
        return Heatmap(z, xLabels, yLabels, title, xTitle, yTitle);
    }

    /// <summary>The same, from a 2-D tensor (e.g. one head's attention weights for one sequence).</summary>
    public static GenericChart Heatmap(Tensor values, string[] xLabels, string[] yLabels, string? title = null, string xTitle = "key", string yTitle = "query")
    {
        var z = Rows(values);
        if (xLabels.Length != values.shape[1] || yLabels.Length != values.shape[0])
            throw new ArgumentException($"The values are {values.shape[0]}×{values.shape[1]} but there are {yLabels.Length} y labels and {xLabels.Length} x labels.");
        return Heatmap(z, xLabels, yLabels, title, xTitle, yTitle);
    }

    static GenericChart Heatmap(double[][] z, string[] xLabels, string[] yLabels, string? title, string xTitle, string yTitle)
    {
        var xs = Enumerable.Range(0, xLabels.Length).ToArray();
        var ys = Enumerable.Range(0, yLabels.Length).ToArray();
        var chart = Chart.Heatmap<double, int, int, string>(z, X: xs, Y: ys, ColorScale: StyleParam.Colorscale.Viridis, ShowScale: true);
        chart = Style(chart, title, xTitle, yTitle, logY: false);
        // The x axis stays at the bottom: on top its labels and title would run into the chart's title.
        var (xTicks, xText) = Ticks(xLabels);
        var (yTicks, yText) = Ticks(yLabels);
        SetAxis(chart, "xaxis", ("tickmode", "array"), ("tickvals", xTicks), ("ticktext", xText), ("tickangle", 0));
        SetAxis(chart, "yaxis", ("tickmode", "array"), ("tickvals", yTicks), ("ticktext", yText), ("autorange", "reversed"));
        // Many token labels: a smaller font, so that every one fits (a token axis is read label by label).
        if (xText.Length > 32) SetAxis(chart, "xaxis", ("tickfont", new Dictionary<string, object> { ["size"] = 9 }));
        if (yText.Length > 32) SetAxis(chart, "yaxis", ("tickfont", new Dictionary<string, object> { ["size"] = 9 }));

        // Hovering names the cell by its labels (the axes only know positions): "query 'l' · key 'e': 0.250".
        var trace = chart.GetTraces()[0];
        trace.SetProperty("text", yLabels.Select(y => xLabels.Select(x => $"{Name(yTitle, y)} · {Name(xTitle, x)}").ToArray()).ToArray());
        trace.SetProperty("hovertemplate", "%{text}: %{z:.3f}<extra></extra>");
        return chart;

        static string Name(string axis, string label) => axis.Length == 0 ? label : $"{axis} {label}";
    }

    /// <summary>
    /// Which labels to draw. Tokens: every one, since each matters. Numbers (positions, columns): beyond 32 of them,
    /// every k-th, so that about 16 stay legible (0, 4, 8, … of a 64-long axis).
    /// </summary>
    static (int[] Values, string[] Text) Ticks(string[] labels)
    {
        bool numbers = labels.All(l => int.TryParse(l, out _));
        int step = !numbers || labels.Length <= 32 ? 1 : (int)Math.Ceiling(labels.Length / 16.0);
        var values = Enumerable.Range(0, labels.Length).Where(i => i % step == 0).ToArray();
        return (values, values.Select(i => labels[i]).ToArray());
    }
}
