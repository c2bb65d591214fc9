using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Export;

/// <summary>
/// A lesson as a slide deck for a projector: one HTML file, offline (plotly.js and the figures inlined), large type,
/// math as MathML, charts interactive, arrow keys to move. Slides start where the notebook says so with Jupyter's
/// <c>slideshow</c> cell metadata (as RISE and nbconvert read it), or else at every <c>#</c> or <c>##</c> heading.
/// </summary>
public static class SlideDeck
{
    /// <summary>One piece of a slide: a code cell, or a markdown cell (or the part of one between two section headings).</summary>
    public sealed record Part(Cell Cell, string? Markdown = null);

    /// <summary>The slides of a notebook, in order. A markdown cell with a heading inside it is cut at that heading.</summary>
    public static List<List<Part>> Slides(Notebook notebook)
    {
        bool marked = notebook.Cells.Any(c => SlideType(c) is "slide" or "subslide");
        var slides = new List<List<Part>>();
        foreach (var cell in notebook.Cells)
        {
            string? type = SlideType(cell);
            if (type is "skip" or "notes") continue;
            if (marked)
            {
                if (type is "slide" or "subslide" || slides.Count == 0) slides.Add([]);
                slides[^1].Add(new Part(cell, cell.Type == CellType.Markdown ? cell.Source : null));
                continue;
            }
            if (cell.Type != CellType.Markdown)
            {
                if (slides.Count == 0) slides.Add([]);
                slides[^1].Add(new Part(cell));
                continue;
            }
            foreach (var (section, startsSlide) in Sections(cell.Source))
            {
                if (startsSlide || slides.Count == 0) slides.Add([]);
                slides[^1].Add(new Part(cell, section));
            }
        }
        return slides;
    }

    /// <summary>A markdown text cut before each <c>#</c> or <c>##</c> heading (outside code blocks); whether each piece starts with one.</summary>
    static IEnumerable<(string Text, bool StartsWithHeading)> Sections(string markdown)
    {
        var piece = new List<string>();
        bool inCode = false, headed = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inCode = !inCode;
            bool heading = !inCode && (line.StartsWith("# ", StringComparison.Ordinal) || line.StartsWith("## ", StringComparison.Ordinal));
            if (heading && piece.Any(l => l.Trim().Length > 0))
            {
                yield return (string.Join('\n', piece).Trim('\n'), headed);
                piece.Clear();
            }
            if (heading && piece.All(l => l.Trim().Length == 0)) headed = true;
            piece.Add(line);
        }
        if (piece.Any(l => l.Trim().Length > 0)) yield return (string.Join('\n', piece).Trim('\n'), headed);
    }

    /// <param name="notebook">The lesson, usually executed, so that its outputs and charts are on the slides.</param>
    /// <param name="showCode">Show code cells' source; without it a slide shows only their outputs.</param>
    /// <param name="folder">Where relative figure paths are read from; by default the notebook's folder.</param>
    public static string Render(Notebook notebook, bool showCode = true, string? folder = null)
    {
        folder ??= HtmlExport.ImageFolder(notebook);
        string title = HtmlExport.Title(notebook);
        string language = notebook.DefaultLanguage;
        int charts = 0;
        var body = new StringBuilder();
        var slides = Slides(notebook);
        for (int i = 0; i < slides.Count; i++)
        {
            body.Append($"<section class=\"slide\" id=\"slide-{i + 1}\" data-index=\"{i}\">\n");
            foreach (var (cell, markdown) in slides[i])
            {
                if (markdown is not null)
                    body.Append("<div class=\"markdown\">").Append(HtmlExport.RenderMarkdown(markdown, folder)).Append("</div>\n");
                else if (cell.Type == CellType.Code && (showCode || cell.Outputs.Count > 0))
                    body.Append(HtmlExport.CodeCell(cell, cell.Language(language), ref charts, showCode));
            }
            body.Append("</section>\n");
        }

        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.Append($"<title>{WebUtility.HtmlEncode(title)} (slides)</title>\n<style>{HtmlExport.PageStyle}{Style}</style>\n");
        if (charts > 0) page.Append("<script type=\"text/javascript\">").Append(PlotlyOutput.PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n");
        page.Append("</head>\n<body class=\"deck\">\n").Append(body);
        page.Append($"<nav class=\"counter\" aria-live=\"polite\"><span id=\"current\">1</span> / {slides.Count}</nav>\n");
        page.Append("<script>").Append(Navigation).Append("</script>\n</body>\n</html>\n");
        return page.ToString();
    }

    public static void Write(Notebook notebook, string path, bool showCode = true, string? folder = null) =>
        AtomicFile.WriteAllText(path, Render(notebook, showCode, folder));

    static string? SlideType(Cell cell) =>
        cell.Metadata["slideshow"]?["slide_type"] is JsonValue v && v.TryGetValue<string>(out var type) ? type : null;

    const string Style = """
        body.deck { background: #fff; margin: 0; font-size: 26px; line-height: 1.5; }
        .slide { display: none; box-sizing: border-box; height: 100vh; overflow-y: auto; padding: 3vh 6vw 8vh; }
        .slide.current { display: block; }
        .slide h1 { font-size: 2.1em; } .slide h2 { font-size: 1.7em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
        .slide pre { font-size: 20px; } .slide .prompt { display: none; } .slide .output, .slide .note { margin-left: 0; }
        .slide details.hidden-source > summary { margin-left: 0; font-size: 20px; }
        .slide section.markdown img, .slide .markdown img { display: block; margin: .5em auto; max-height: 70vh; }
        nav.counter { position: fixed; right: 1.5vw; bottom: 1vh; font: 16px sans-serif; color: #6e7781; }
        @media print { .slide { display: block; height: auto; page-break-after: always; } nav.counter { display: none; } }
        """;

    // Arrow keys, Page Up/Down, space and Home/End move; the address (#3) remembers the slide; a chart that was
    // drawn on a hidden slide is resized when its slide appears.
    const string Navigation = """
        (function () {
          var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
          var current = 0;
          function show(i) {
            current = Math.max(0, Math.min(slides.length - 1, i));
            slides.forEach(function (s, k) { s.classList.toggle('current', k === current); });
            document.getElementById('current').textContent = String(current + 1);
            if (location.hash !== '#' + (current + 1)) history.replaceState(null, '', '#' + (current + 1));
            window.dispatchEvent(new Event('resize'));
          }
          document.addEventListener('keydown', function (e) {
            if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ' || e.key === 'ArrowDown') { show(current + 1); e.preventDefault(); }
            else if (e.key === 'ArrowLeft' || e.key === 'PageUp' || e.key === 'ArrowUp') { show(current - 1); e.preventDefault(); }
            else if (e.key === 'Home') show(0);
            else if (e.key === 'End') show(slides.length - 1);
          });
          var start = parseInt((location.hash || '#1').slice(1), 10);
          show(isNaN(start) ? 0 : start - 1);
        })();
        """;
}
