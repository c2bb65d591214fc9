using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using Chart = Plotly.NET.CSharp.Chart;

namespace LargeModel.Course.Plots;

public static partial class Charts
{
    /// <summary>Colours for classes 0, 1, 2... (Plotly's defaults, so points and regions match the legend).</summary>
    static readonly string[] ClassColors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>
    /// The regions a classifier assigns to each class, over a grid covering the data, with the data points on top
    /// coloured by their true class: where the colours disagree, the model is wrong.
    /// </summary>
    /// <param name="predict">
    /// Maps points [n, 2] to class indices [n], or to logits [n, classes] (the largest wins), or to one logit per
    /// point, [n] or [n, 1] (positive means class 1). Runs without gradients; e.g. <c>p =&gt; model.call(p)</c>.
    /// </param>
    /// <param name="x">The data points, [n, 2].</param>
    /// <param name="y">Their classes, [n].</param>
    /// <param name="resolution">Grid points along each axis.</param>
    /// <param name="margin">How far the grid extends beyond the data, in data units.</param>
    /// <param name="title">The chart title, if any.</param>
    public static GenericChart DecisionBoundary(Func<Tensor, Tensor> predict, Tensor x, Tensor y, int resolution = 100, double margin = 0.5, string? title = null)
    {
        if (x.dim() != 2 || x.shape[1] != 2)
            throw new ArgumentException($"A decision boundary is drawn for 2-D inputs; x has shape [{string.Join(", ", x.shape)}].", nameof(x));
        if (resolution < 2) throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "Use at least 2 grid points per axis.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var points = x.detach().to(ScalarType.Float64).cpu();
        var labels = y.detach().reshape(-1).to(ScalarType.Int64).cpu().data<long>().ToArray();
        double[] Axis(int column)
        {
            double low = points[.., column].min().item<double>() - margin, high = points[.., column].max().item<double>() + margin;
            return Enumerable.Range(0, resolution).Select(i => low + (high - low) * i / (resolution - 1)).ToArray();
        }
        double[] xs = Axis(0), ys = Axis(1);

        // Grid row r is ys[r], column c is xs[c]: the layout a heatmap's z expects.
        var gridX = tensor(xs).repeat(resolution);
        var gridY = tensor(ys).repeat_interleave(resolution);
        var grid = stack([gridX, gridY], dim: 1).to(x.dtype).to(x.device);
        var predicted = ToClasses(predict(grid)).cpu().data<long>().ToArray();
        int classes = (int)Math.Max(labels.DefaultIfEmpty(0).Max(), predicted.Max()) + 1;
        if (classes > ClassColors.Length)
            throw new ArgumentException($"Up to {ClassColors.Length} classes can be coloured; found {classes}.", nameof(y));
        var z = Enumerable.Range(0, resolution).Select(r => predicted.AsSpan(r * resolution, resolution).ToArray().Select(c => (double)c).ToArray()).ToArray();

        // A stepped colour scale, so class k is exactly its colour whatever classes the grid happens to contain.
        var scale = StyleParam.Colorscale.NewCustom(Enumerable.Range(0, classes).SelectMany(k => new[]
        {
            Tuple.Create((double)k / classes, Color.fromString(ClassColors[k])),
            Tuple.Create((double)(k + 1) / classes, Color.fromString(ClassColors[k])),
        }));
        var regions = Chart.Heatmap<double, double, double, string>(z, X: xs, Y: ys, Name: "prediction", Opacity: 0.35, ColorScale: scale, ShowScale: false);
        var region = regions.GetTraces()[0];
        region.SetProperty("zmin", -0.5);
        region.SetProperty("zmax", classes - 0.5);
        region.SetProperty("hoverinfo", "skip");

        var charts = new List<GenericChart> { regions };
        var coordinates = points.data<double>().ToArray();
        for (int k = 0; k < classes; k++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == k).ToList();
            if (members.Count == 0) continue;
            charts.Add(Chart.Point<double, double, string>(
                members.Select(i => coordinates[2 * i]), members.Select(i => coordinates[2 * i + 1]),
                Name: $"class {k}", MarkerColor: Color.fromString(ClassColors[k]), ShowLegend: true));
        }
        return Style(Chart.Combine(charts), title, "x₁", "x₂", logY: false);
    }

    /// <summary>A model's output as class indices: see <see cref="DecisionBoundary"/> for the accepted shapes.</summary>
    static Tensor ToClasses(Tensor output)
    {
        if (!output.is_floating_point()) return output.reshape(-1).to(ScalarType.Int64);
        if (output.dim() == 2 && output.shape[1] > 1) return output.argmax(1);
        return (output.reshape(-1) > 0).to(ScalarType.Int64);
    }
}
