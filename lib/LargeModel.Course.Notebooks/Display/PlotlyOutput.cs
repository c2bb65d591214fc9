using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace LargeModel.Course.Notebooks.Display;

/// <summary>
/// Plotly charts as notebook outputs: <c>application/vnd.plotly.v1+json</c>, which VS Code and JupyterLab draw
/// natively, plus a <c>text/html</c> fallback for the classic notebook and exported pages, which works offline.
/// </summary>
/// <remarks>
/// The fallback must not fetch plotly.js from a CDN (learners and classrooms are often offline) and must not
/// assume RequireJS (the classic notebook has it, other hosts do not, and plotly.js registers itself with it
/// instead of <c>window.Plotly</c> when it is present). So the first chart a session shows carries plotly.js
/// inline, loaded with RequireJS hidden; every later chart only waits for <c>window.Plotly</c>.
/// </remarks>
public static class PlotlyOutput
{
    static readonly Lazy<string> Library = new(LoadPlotlyJs);

    /// <summary>The plotly.js bundled inside Plotly.NET (so the version always matches the JSON it writes).</summary>
    public static string PlotlyJs => Library.Value;

    public static MimeBundle Format(GenericChart chart, bool includeLibrary)
    {
        var figure = JsonSafety.WithoutNonFinite(JsonNode.Parse(JsonSafety.ReplaceNonFinite(GenericChart.toFigureJson(chart)))!).AsObject();
        figure.Remove("frames");
        FitWidth(figure);
        return new MimeBundle("Plotly chart (open in VS Code, Jupyter or the exported HTML to see it)")
            .With(MimeBundle.PlotlyJson, figure)
            .With(MimeBundle.Html, Html(figure, includeLibrary));
    }

    /// <summary>
    /// Plotly.NET gives every chart a fixed 600×600 layout unless told otherwise; in a notebook a chart should
    /// fill the cell's width instead, at a height that fits a screen. Sizes a lesson set explicitly are kept.
    /// </summary>
    static void FitWidth(JsonObject figure)
    {
        if (figure["layout"] is not JsonObject layout) return;
        bool defaultSize = layout["width"] is JsonValue w && w.TryGetValue<int>(out int width) && width == 600
            && layout["height"] is JsonValue h && h.TryGetValue<int>(out int height) && height == 600;
        if (!defaultSize) return;
        layout.Remove("width");
        layout["height"] = 450;
        layout["autosize"] = true;
    }

    /// <summary>A div and a script that draws <paramref name="figure"/> once plotly.js is there.</summary>
    public static string Html(JsonObject figure, bool includeLibrary)
    {
        string id = "plotly-" + Guid.NewGuid().ToString("N")[..12];
        int height = figure["layout"]?["height"] is JsonValue h && h.TryGetValue<int>(out int px) ? px : 450;
        var html = new StringBuilder();
        if (includeLibrary) html.Append(LibraryScript());
        html.Append($"<div id=\"{id}\" class=\"course-plotly\" style=\"width:100%;height:{height}px;\"></div>\n");
        html.Append("<script type=\"text/javascript\">\n(function () {\n");
        html.Append($"  var figure = {figure.ToJsonString()};\n");
        html.Append($"  function draw() {{ window.Plotly.newPlot('{id}', figure.data, figure.layout, Object.assign({{responsive: true}}, figure.config || {{}})); }}\n");
        html.Append("  if (window.Plotly) draw(); else (window.coursePlotlyQueue = window.coursePlotlyQueue || []).push(draw);\n");
        html.Append("})();\n</script>\n");
        return html.ToString();
    }

    /// <summary>plotly.js inline, with RequireJS's <c>define</c> hidden while it loads, then the queued charts drawn.</summary>
    public static string LibraryScript() =>
        "<script type=\"text/javascript\">window.courseSavedDefine = window.define; window.define = undefined;</script>\n" +
        "<script type=\"text/javascript\">" + PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) + "</script>\n" +
        "<script type=\"text/javascript\">window.define = window.courseSavedDefine;" +
        " (window.coursePlotlyQueue || []).forEach(function (draw) { draw(); }); window.coursePlotlyQueue = [];</script>\n";

    static string LoadPlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal) && n.Contains("plotly", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException("plotly.js was not found inside Plotly.NET; charts cannot be shown offline.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
