using Plotly.NET;
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
        SetAxis(chart, "xaxis", ("tickmode", "array"), ("tickvals", xs), ("ticktext", xLabels), ("side", "top"));
        SetAxis(chart, "yaxis", ("tickmode", "array"), ("tickvals", ys), ("ticktext", yLabels), ("autorange", "reversed"));
        return chart;
    }
}
