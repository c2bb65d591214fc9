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
        LabelAxis(chart, "xaxis", xLabels);
        LabelAxis(chart, "yaxis", yLabels);
        SetAxis(chart, "xaxis", ("tickangle", 0));
        SetAxis(chart, "yaxis", ("autorange", "reversed"));

        // Hovering names the cell by its labels (the axes only know positions): "query l · key e: 0.250".
        var trace = chart.GetTraces()[0];
        trace.SetProperty("text", yLabels.Select(y => xLabels.Select(x => $"{Name(yTitle, y)} · {Name(xTitle, x)}").ToArray()).ToArray());
        trace.SetProperty("hovertemplate", "%{text}: %{z:.3f}<extra></extra>");
        return chart;

        static string Name(string axis, string label) => axis.Length == 0 ? label : $"{axis} {label}";
    }

    /// <summary>
    /// Labels an axis by position. Tokens: every one, since each matters, in a smaller font when there are many.
    /// Numbers (positions, columns): beyond 32 of them every k-th, so that about 16 stay legible (0, 4, 8, … of 64).
    /// </summary>
    static void LabelAxis(GenericChart chart, string axis, string[] labels)
    {
        bool numbers = labels.All(l => int.TryParse(l, out _));
        int step = !numbers || labels.Length <= 32 ? 1 : (int)Math.Ceiling(labels.Length / 16.0);
        var values = Enumerable.Range(0, labels.Length).Where(i => i % step == 0).ToArray();
        SetAxis(chart, axis, ("tickmode", "array"), ("tickvals", values), ("ticktext", values.Select(i => labels[i]).ToArray()));
        if (values.Length > 32) SetAxis(chart, axis, ("tickfont", new Dictionary<string, object> { ["size"] = 9 }));
    }
}
