using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;

namespace LargeModel.Course.Plots;

/// <summary>
/// The few chart settings lessons use everywhere, as plain C# methods. Plotly.NET's own title function is
/// F#-style (curried, with option types), which reads badly in a C# lesson.
/// </summary>
public static class ChartStyle
{
    public static GenericChart WithTitle(this GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(chart);

    public static GenericChart WithAxisTitles(this GenericChart chart, string x, string y) =>
        chart.WithXAxisStyle<double, double, string>(TitleText: x).WithYAxisStyle<double, double, string>(TitleText: y);

    /// <summary>
    /// A logarithmic x axis labelled once per power of ten, written 10⁻⁴ rather than 100µ (plotly's default also labels
    /// 2, 3, … 9 inside every decade, which crowds an axis spanning several), or labelled at <paramref name="ticks"/>,
    /// e.g. the powers of two of a head width.
    /// </summary>
    public static GenericChart WithLogX(this GenericChart chart, IEnumerable<double>? ticks = null) => LogAxis(chart, "xaxis", ticks);

    /// <summary>The same for the y axis.</summary>
    public static GenericChart WithLogY(this GenericChart chart, IEnumerable<double>? ticks = null) => LogAxis(chart, "yaxis", ticks);

    static GenericChart LogAxis(GenericChart chart, string axis, IEnumerable<double>? ticks)
    {
        Charts.SetAxis(chart, axis, ("type", "log"), ("exponentformat", "power"));
        if (ticks is null)
            Charts.SetAxis(chart, axis, ("dtick", 1));
        else
        {
            var values = ticks.ToArray();
            Charts.SetAxis(chart, axis, ("tickmode", "array"), ("tickvals", values),
                ("ticktext", values.Select(v => v.ToString("G", System.Globalization.CultureInfo.InvariantCulture)).ToArray()));
        }
        return chart;
    }
}
