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
}
