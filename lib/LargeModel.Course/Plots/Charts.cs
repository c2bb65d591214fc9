using LargeModel.Course.Training;
using Plotly.NET;
using Plotly.NET.CSharp;
using static TorchSharp.torch;
using Chart = Plotly.NET.CSharp.Chart;

namespace LargeModel.Course.Plots;

/// <summary>
/// The course's charts, as Plotly.NET <see cref="GenericChart"/>s: loss curves, simple lines, attention heatmaps and
/// decision boundaries. They say nothing about how plotly.js reaches the page; the notebook engine embeds it (inline,
/// for offline use) when it displays a chart, and <c>GenericChart.toChartHTML</c> works outside notebooks.
/// </summary>
public static partial class Charts
{
    /// <summary>Several lines on one chart, e.g. activation functions or learning-rate schedules side by side.</summary>
    public static GenericChart Lines(IEnumerable<Series> series, string? title = null, string xTitle = "x", string yTitle = "y", bool logY = false)
    {
        var traces = series.Select(s =>
        {
            if (s.X.Count != s.Y.Count)
                throw new ArgumentException($"Series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values.", nameof(series));
            return s.Dashed
                ? Chart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowLegend: true, LineDash: StyleParam.DrawingStyle.Dash, LineWidth: 3)
                : Chart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowLegend: true);
        }).ToList();
        if (traces.Count == 0) throw new ArgumentException("Give at least one series to plot.", nameof(series));
        return Style(Chart.Combine(traces), title, xTitle, yTitle, logY);
    }

    /// <summary>Lines, given as name → values against positions 1, 2, 3...</summary>
    public static GenericChart Lines(IReadOnlyDictionary<string, IReadOnlyList<double>> series, string? title = null, string xTitle = "x", string yTitle = "y", bool logY = false) =>
        Lines(series.Select(s => Series.Of(s.Key, s.Value)), title, xTitle, yTitle, logY);

    /// <summary>
    /// Training loss per step and validation loss per epoch (drawn at the step where the epoch ended) from a
    /// trainer's history. A log scale shows late progress that a linear scale flattens.
    /// </summary>
    public static GenericChart LossCurves(History history, bool logY = false, string title = "Loss")
    {
        var series = new List<Series>
        {
            new("train", history.Steps.Select(s => (double)s.Step).ToList(), history.Steps.Select(s => s.Loss).ToList()),
        };
        var validated = history.Epochs.Where(e => e.ValidationLoss.HasValue).ToList();
        if (validated.Count > 0)
            series.Add(new("validation", validated.Select(e => (double)e.Step).ToList(), validated.Select(e => e.ValidationLoss!.Value).ToList()));
        return LossCurves(series, logY, title);
    }

    /// <summary>
    /// Loss curves from plain lists: the training loss at x = 1, 2, 3... and, if given, the validation loss. When the
    /// validation list is shorter it is spread evenly over the same x range (e.g. one validation loss per epoch
    /// against many training steps), ending where the training curve ends.
    /// </summary>
    public static GenericChart LossCurves(IReadOnlyList<double> train, IReadOnlyList<double>? validation = null, bool logY = false, string title = "Loss", string xTitle = "step")
    {
        var series = new List<Series> { Series.Of("train", train) };
        if (validation is { Count: > 0 })
        {
            double every = (double)train.Count / validation.Count;
            series.Add(new("validation", Enumerable.Range(1, validation.Count).Select(i => i * every).ToList(), validation));
        }
        return LossCurves(series, logY, title, xTitle);
    }

    static GenericChart LossCurves(IReadOnlyList<Series> series, bool logY, string title, string xTitle = "step")
    {
        var traces = series.Select(s => s.Name == "validation"
            ? Chart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowMarkers: true, ShowLegend: true)
            : Chart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowLegend: true));
        return Style(Chart.Combine(traces), title, xTitle, "loss", logY);
    }

    static GenericChart Style(GenericChart chart, string? title, string xTitle, string yTitle, bool logY)
    {
        chart = chart.WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        // Powers of ten on a log axis (10⁻⁴), not SI prefixes (100µ), which read as units.
        if (logY) SetAxis(chart, "yaxis", ("exponentformat", "power"));
        return title is null ? chart : Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
    }

    /// <summary>Sets raw plotly.js attributes of an axis (e.g. tick labels) that the typed API does not reach.</summary>
    internal static void SetAxis(GenericChart chart, string axis, params (string Name, object Value)[] properties)
    {
        var layout = chart.GetLayout();
        if (layout.TryGetPropertyValue(axis) is not { } existing || existing.Value is not DynamicObj.DynamicObj target)
        {
            target = new Plotly.NET.LayoutObjects.LinearAxis();
            layout.SetProperty(axis, target);
        }
        foreach (var (name, value) in properties) target.SetProperty(name, value);
    }

    /// <summary>The values of a 2-D tensor as rows of doubles.</summary>
    static double[][] Rows(Tensor values)
    {
        if (values.dim() != 2) throw new ArgumentException($"Expected a 2-D tensor, got shape [{string.Join(", ", values.shape)}].", nameof(values));
        using var cpu = values.detach().to(ScalarType.Float64).cpu().contiguous();
        var flat = cpu.data<double>().ToArray();
        int columns = (int)values.shape[1];
        return Enumerable.Range(0, (int)values.shape[0]).Select(r => flat.AsSpan(r * columns, columns).ToArray()).ToArray();
    }
}
