using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Ipynb;
using Markdig;

namespace LargeModel.Course.Notebooks.Export;

/// <summary>
/// A static page of an executed notebook that an instructor can open offline in any browser or hand out:
/// Markdown rendered, math readable, code with its outputs, charts interactive. plotly.js is embedded once in
/// the page, and every chart is drawn from its Plotly JSON, so the page needs no network at all.
/// </summary>
public static partial class HtmlExport
{
    static readonly MarkdownPipeline Markdown = BuildPipeline();

    static MarkdownPipeline BuildPipeline()
    {
        var builder = new MarkdownPipelineBuilder().UseAdvancedExtensions().UseMathematics();
        // Generic attributes read a trailing {...} as HTML attributes, which eats LaTeX in headings: "Why divide by
        // $\sqrt{d_k}$?" would lose its formula. Lessons never write attributes, so the extension goes.
        builder.Extensions.TryRemove<Markdig.Extensions.GenericAttributes.GenericAttributesExtension>();
        return builder.Build();
    }

    /// <param name="notebook">The notebook, executed or not.</param>
    /// <param name="title">The page title; by default the notebook's first heading.</param>
    /// <param name="folder">Where relative image paths in Markdown (<c>../assets/x.svg</c>) are read from; by default
    /// the notebook's own folder.</param>
    public static string Render(Notebook notebook, string? title = null, string? folder = null)
    {
        title ??= Title(notebook);
        folder ??= ImageFolder(notebook);
        var body = new StringBuilder();
        int charts = 0;
        string language = notebook.DefaultLanguage;
        foreach (var cell in notebook.Cells)
        {
            switch (cell.Type)
            {
                case CellType.Markdown:
                    body.Append("<section class=\"markdown\">").Append(RenderMarkdown(cell.Source, folder)).Append("</section>\n");
                    break;
                case CellType.Code:
                    body.Append(CodeCell(cell, cell.Language(language), ref charts));
                    break;
                default:
                    body.Append("<pre class=\"raw\">").Append(WebUtility.HtmlEncode(cell.Source)).Append("</pre>\n");
                    break;
            }
        }

        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append($"<title>{WebUtility.HtmlEncode(title)}</title>\n<style>{PageStyle}</style>\n");
        if (charts > 0) page.Append("<script type=\"text/javascript\">").Append(PlotlyOutput.PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n");
        page.Append("</head>\n<body>\n<main>\n").Append(body).Append("</main>\n");
        page.Append("<footer>Exported by <code>course run --html</code> from ").Append(WebUtility.HtmlEncode(notebook.Name)).Append(".</footer>\n");
        page.Append("</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>Writes the page beside-then-rename, so a half-written page never replaces a good one.</summary>
    public static void Write(Notebook notebook, string path, string? folder = null) => AtomicFile.WriteAllText(path, Render(notebook, folder: folder));

    /// <summary>The folder a notebook's relative image paths start from: its own.</summary>
    public static string ImageFolder(Notebook notebook) =>
        Path.GetDirectoryName(Path.GetFullPath(notebook.Path ?? "notebook.ipynb")) ?? Directory.GetCurrentDirectory();

    /// <summary>The page's title: the notebook's first heading, else its file name.</summary>
    public static string Title(Notebook notebook) => FirstHeading(notebook) ?? Path.GetFileNameWithoutExtension(notebook.Name);

    /// <summary>A code cell with its outputs; <paramref name="showInput"/> false leaves the source out (slides without code).</summary>
    internal static string CodeCell(Cell cell, string language, ref int charts, bool showInput = true)
    {
        var html = new StringBuilder("<section class=\"code-cell\">\n");
        if (language is "markdown" or "html")
        {
            // Polyglot's Markdown/HTML code cells: their rendered output is the content.
            foreach (var output in cell.Outputs.OfType<JsonObject>()) html.Append(Output(output, ref charts));
            return html.Append("</section>\n").ToString();
        }
        string count = cell.Json["execution_count"] is JsonValue v && v.TryGetValue<int>(out int n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : " ";
        string note = cell.Tags.Contains("injected-parameters") ? "<div class=\"note\">Parameters injected by <code>course run</code></div>" : "";
        string input = $"<div class=\"input\"><span class=\"prompt\">In [{count}]:</span><pre><code class=\"language-csharp\">{WebUtility.HtmlEncode(cell.Source)}</code></pre></div>";
        // A cell collapsed in the notebook (a reference solution) stays collapsed on the page: a learner handed the
        // page should see the exercise first and open the answer only on purpose.
        if (cell.Metadata["jupyter"]?["source_hidden"] is JsonValue hidden && hidden.TryGetValue<bool>(out bool isHidden) && isHidden)
        {
            string summary = cell.Tags.Contains("solution") ? "Reference solution" : "Hidden code";
            input = $"<details class=\"hidden-source\"><summary>{summary} (click to show)</summary>{input}</details>";
        }
        if (showInput) html.Append(note).Append(input).Append('\n');
        foreach (var output in cell.Outputs.OfType<JsonObject>()) html.Append(Output(output, ref charts));
        return html.Append("</section>\n").ToString();
    }

    static string Output(JsonObject output, ref int charts)
    {
        switch (output["output_type"]?.GetValue<string>())
        {
            case "stream":
                string name = output["name"]?.GetValue<string>() ?? "stdout";
                return $"<pre class=\"output stream {name}\">{WebUtility.HtmlEncode(Text(output["text"]))}</pre>\n";
            case "error":
                string trace = string.Join("\n", (output["traceback"] as JsonArray)?.Select(t => t?.GetValue<string>()) ?? []);
                return $"<pre class=\"output error\">{WebUtility.HtmlEncode(trace)}</pre>\n";
            case "display_data" or "execute_result":
                return Data(output["data"] as JsonObject ?? [], ref charts);
            default:
                return "";
        }
    }

    static string Data(JsonObject data, ref int charts)
    {
        if (data[MimeBundle.PlotlyJson] is JsonObject figure)
        {
            charts++;
            return "<div class=\"output chart\">" + PlotlyOutput.Html(figure, includeLibrary: false) + "</div>\n";
        }
        if (data["text/html"] is { } html)
            return $"<div class=\"output html\">{Text(html)}</div>\n";
        if (data["image/svg+xml"] is { } svg)
            return $"<div class=\"output image\">{Text(svg)}</div>\n";
        if (data["image/png"] is { } png)
            return $"<div class=\"output image\"><img alt=\"output\" src=\"data:image/png;base64,{Text(png).Trim()}\"></div>\n";
        if (data[MimeBundle.Markdown] is { } markdown)
            return $"<div class=\"output markdown\">{RenderMarkdown(Text(markdown))}</div>\n";
        if (data[MimeBundle.Plain] is { } plain)
            return $"<pre class=\"output text\">{WebUtility.HtmlEncode(Text(plain))}</pre>\n";
        return "";
    }

    /// <summary>
    /// Markdown to HTML, with each formula as MathML (or, if it uses LaTeX we do not convert, as its source), and each
    /// image with a relative path (a figure from <c>assets/</c>) read from <paramref name="folder"/> and embedded as
    /// a data URI, so the page works alone, offline, wherever it is copied.
    /// </summary>
    public static string RenderMarkdown(string markdown, string? folder = null) =>
        Figures.Embed(WithMathMl(Markdig.Markdown.ToHtml(markdown, Markdown)), folder);

    static string WithMathMl(string html) =>
        MathMarkup().Replace(html, match =>
        {
            bool display = match.Groups["tag"].Value == "div";
            string tex = WebUtility.HtmlDecode(match.Groups["tex"].Value);
            try
            {
                return TexToMathMl.Convert(tex, display);
            }
            catch (FormatException)
            {
                return match.Value;
            }
        });

    [System.Text.RegularExpressions.GeneratedRegex(@"<(?<tag>span|div) class=""math"">\s*\\[(\[](?<tex>.*?)\\[)\]]\s*</\k<tag>>", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex MathMarkup();

    static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };

    static string? FirstHeading(Notebook notebook) =>
        notebook.Cells.Where(c => c.Type == CellType.Markdown)
            .SelectMany(c => c.Source.Split('\n'))
            .FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();

    /// <summary>The page's CSS, which the slide decks build on.</summary>
    internal const string PageStyle = """
        body { margin: 0; background: #fafafa; color: #1f2328; font: 16px/1.6 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
        main { max-width: 980px; margin: 0 auto; padding: 2rem 1.5rem 4rem; background: #fff; }
        h1, h2, h3 { line-height: 1.25; } h1 { border-bottom: 1px solid #ddd; padding-bottom: .3em; }
        pre { overflow-x: auto; padding: .75em 1em; border-radius: 6px; font: 13.5px/1.45 ui-monospace, "Cascadia Code", Menlo, Consolas, monospace; }
        .input { display: flex; gap: .5em; align-items: flex-start; margin-top: 1em; }
        .input pre { flex: 1; min-width: 0; margin: 0; background: #f6f8fa; border: 1px solid #e5e7eb; white-space: pre-wrap; overflow-wrap: anywhere; }
        .prompt { color: #6e7781; font: 12px ui-monospace, monospace; min-width: 4.5em; padding-top: .9em; text-align: right; }
        .output { margin: .4em 0 0 5em; }
        pre.output { background: #fff; border-left: 3px solid #d0d7de; border-radius: 0; white-space: pre-wrap; word-break: break-word; }
        pre.stderr { border-left-color: #d4a72c; background: #fff8e5; }
        pre.error { border-left-color: #cf222e; background: #ffebe9; color: #82071e; }
        .note { margin: 1em 0 0 5em; font-size: 13px; color: #6e7781; }
        details.hidden-source { margin-top: 1em; } details.hidden-source > summary { margin-left: 5em; cursor: pointer; color: #6e7781; font-size: 14px; }
        math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", "DejaVu Math TeX Gyre", math; }
        .math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", "DejaVu Math TeX Gyre", "Times New Roman", serif; font-style: italic; color: #0b3d91; }
        div.math { text-align: center; margin: 1em 0; font-size: 1.1em; }
        table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: .3em .7em; }
        code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .92em; }
        footer { text-align: center; color: #6e7781; font-size: 13px; padding: 1em; }
        img { max-width: 100%; height: auto; } section.markdown img { display: block; margin: 1em auto; }
        """;
}
