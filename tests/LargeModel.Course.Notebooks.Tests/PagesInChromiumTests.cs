using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Export;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Running;
using static LargeModel.Course.Notebooks.Tests.TestNotebook;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>Exported pages and slide decks as a browser shows them: figures drawn, code not cut off, slides that move.</summary>
[Collection(nameof(Cells))]
public class PagesInChromiumTests
{
    // Draws the first figure of the page into a canvas and measures it: its natural and shown size, and the share of
    // its pixels that carry ink (neither blank nor transparent).
    const string MeasureFigure = """
        var img = document.querySelector('section.markdown img');
        if (!img || !img.complete || img.naturalWidth === 0) return null;
        var canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        var g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        var d = g.getImageData(0, 0, canvas.width, canvas.height).data, ink = 0, opaque = 0;
        for (var i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 250) opaque++;
          if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) ink++;
        }
        var box = img.getBoundingClientRect(), n = canvas.width * canvas.height;
        return { naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, width: box.width, height: box.height, ink: ink / n, opaque: opaque / n };
        """;

    [SkippableFact]
    public async Task A_lesson_page_draws_its_figure_and_shows_every_code_line_whole()
    {
        var lesson = Notebook.Load(Path.Combine(Repository.Notebooks, "00-setup.ipynb"));
        Assert.Contains(lesson.Cells, c => c.Type == CellType.Code && c.Source.Split('\n').Any(line => line.Length > 120)); // lines that would be cut
        using var folder = new TempFolder();
        string page = folder.Write("00-setup.html", HtmlExport.Render(lesson));   // a page alone in a folder: the figure must be inside it

        await using var browser = await HeadlessChromium.StartAsync(900, 1200);
        await browser.Open(page);
        var figure = await browser.Until(MeasureFigure, "the course map to load");
        await browser.Screenshot("00-setup-page");

        Assert.Equal(900, figure["naturalWidth"]!.GetValue<int>());   // the course map's own size (its viewBox)
        Assert.Equal(340, figure["naturalHeight"]!.GetValue<int>());
        double width = figure["width"]!.GetValue<double>(), height = figure["height"]!.GetValue<double>();
        Assert.InRange(width, 500, 900);                                // fits the column, not squeezed to nothing
        Assert.InRange(height / width, 340.0 / 900 - 0.01, 340.0 / 900 + 0.01);   // and keeps its proportions
        Assert.InRange(figure["ink"]!.GetValue<double>(), 0.02, 0.5);   // drawn: text and boxes, not blank, not a black square
        Assert.True(figure["opaque"]!.GetValue<double>() > 0.95, "the figure's card should be opaque, so dark themes do not show through");

        // A code line is cut when its box is wider than the column (or the window), or when it overflows its own box.
        var cut = await browser.Script("var main = document.querySelector('main').getBoundingClientRect();" +
            " return Array.prototype.filter.call(document.querySelectorAll('pre'), function (p) { var r = p.getBoundingClientRect();" +
            " return p.scrollWidth > p.clientWidth + 1 || r.right > main.right + 1 || r.right > window.innerWidth; }).length;");
        Assert.Equal(0, cut!.GetValue<int>());
    }

    [SkippableFact]
    public async Task A_slide_deck_shows_one_slide_at_a_time_with_math_and_a_chart_and_the_right_arrow_moves_on()
    {
        var notebook = Notebook.Parse(Of(
            Markdown("# Deck title\nThe mean is $\\bar{x} = \\frac{1}{n} \\sum_i x_i$."),
            Markdown("## A chart\n![The course map](../assets/course-map.svg)"),
            Code("using Plotly.NET.CSharp;\nChart.Line<double, double, string>(new double[] { 1, 2, 3 }, new double[] { 3, 1, 2 })"),
            Markdown("## The end")), Path.Combine(Repository.Notebooks, "deck.ipynb"));
        var run = await new NotebookRunner(new RunOptions()).RunAsync(notebook);
        Assert.True(run.Succeeded, run.Failure);
        using var folder = new TempFolder();
        string deck = folder.Write("deck.slides.html", SlideDeck.Render(run.Executed, folder: Repository.Notebooks));

        await using var browser = await HeadlessChromium.StartAsync(1280, 800);
        await browser.Open(deck);
        const string Shown = "return Array.prototype.filter.call(document.querySelectorAll('.slide'), function (s) { return s.offsetHeight > 0; }).map(function (s) { return s.id; });";
        Assert.Equal(["slide-1"], (await browser.Script(Shown))!.AsArray().Select(s => s!.GetValue<string>()));
        var math = await browser.Script("var m = document.querySelector('#slide-1 math'); return m ? m.getBoundingClientRect().width : 0;");
        Assert.True(math!.GetValue<double>() > 20, "the formula should be rendered as MathML");
        Assert.Equal("26px", (await browser.Script("return getComputedStyle(document.body).fontSize;"))!.GetValue<string>());

        await browser.Press("\uE014");   // the right arrow key
        Assert.Equal(["slide-2"], (await browser.Script(Shown))!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("2", (await browser.Script("return document.getElementById('current').textContent;"))!.GetValue<string>());
        var chart = await browser.Until("var s = document.querySelector('#slide-2 .js-plotly-plot .main-svg'); return s && s.getBoundingClientRect().width > 400 ? s.getBoundingClientRect().width : null;", "the chart to be drawn at full width");
        Assert.True(chart.GetValue<double>() > 400);
        var figure = await browser.Script("var i = document.querySelector('#slide-2 img'); return i && i.complete ? i.naturalWidth : 0;");
        Assert.Equal(900, figure!.GetValue<int>());
        await browser.Screenshot("slide-deck");

        await browser.Press("\uE014");
        await browser.Press("\uE014");   // past the end stays on the last slide
        Assert.Equal(["slide-3"], (await browser.Script(Shown))!.AsArray().Select(s => s!.GetValue<string>()));
        await browser.Press("\uE012");   // the left arrow goes back
        Assert.Equal(["slide-2"], (await browser.Script(Shown))!.AsArray().Select(s => s!.GetValue<string>()));
    }
}

public class SlideDeckTests
{
    [Fact]
    public void A_lesson_gets_a_slide_per_section_and_marked_cells_override_it()
    {
        foreach (var name in new[] { "08-attention.ipynb", "09-gpt.ipynb" })
        {
            var lesson = Notebook.Load(Path.Combine(Repository.Notebooks, name));
            int sections = lesson.Cells.Where(c => c.Type == CellType.Markdown)
                .Sum(c => c.Source.Split('\n').Count(l => l.StartsWith("# ", StringComparison.Ordinal) || l.StartsWith("## ", StringComparison.Ordinal)));
            var slides = SlideDeck.Slides(lesson);
            Assert.Equal(sections, slides.Count);   // headings inside a cell start slides too
            Assert.All(slides, s => Assert.Matches("^#{1,2} ", s[0].Markdown));
            Assert.Equal(lesson.Cells, slides.SelectMany(s => s.Select(p => p.Cell)).Distinct());   // every cell, in order
            foreach (var cell in lesson.Cells.Where(c => c.Type == CellType.Markdown))   // and all of its text, once
                Assert.Equal(Squeeze(cell.Source), Squeeze(string.Concat(slides.SelectMany(s => s).Where(p => p.Cell == cell).Select(p => p.Markdown))));
        }

        var marked = Notebook.Parse(Of(Markdown("# One"), Markdown("more of one"), Markdown("## not a new slide"), Markdown("Two"), Markdown("hidden"), Markdown("speaker notes")));
        void Mark(int cell, string type) => marked.Cells[cell].Metadata["slideshow"] = new JsonObject { ["slide_type"] = type };
        Mark(0, "slide");
        Mark(1, "fragment");
        Mark(3, "subslide");
        Mark(4, "skip");
        Mark(5, "notes");
        Assert.Equal([["# One", "more of one", "## not a new slide"], ["Two"]], SlideDeck.Slides(marked).Select(s => s.Select(p => p.Markdown).ToArray()).ToArray());
    }

    static string Squeeze(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", "");

    [Fact]
    public void Code_can_be_left_off_the_slides_and_outputs_stay()
    {
        var notebook = Notebook.Parse(Of(Markdown("# Title"), Code("Console.WriteLine(\"printed\");")));
        notebook.Cells[1].Outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = "printed by the cell\n" });
        string withCode = SlideDeck.Render(notebook), without = SlideDeck.Render(notebook, showCode: false);
        Assert.Contains("Console.WriteLine", withCode);
        Assert.DoesNotContain("Console.WriteLine", without);
        Assert.Contains("printed by the cell", without);
        Assert.DoesNotMatch(@"<script[^>]*\ssrc=", withCode);   // offline: nothing fetched
    }

    [Fact]
    public void Course_export_slides_writes_a_deck_for_every_lesson()
    {
        using var folder = new TempFolder();
        var (code, output, error) = Repository.Course("export", Repository.Notebooks, "--slides", "--out", folder.Path);
        Assert.True(code == 0, output + error);
        foreach (var lesson in Directory.GetFiles(Repository.Notebooks, "*.ipynb"))
        {
            string deck = Path.Combine(folder.Path, Path.GetFileNameWithoutExtension(lesson) + ".slides.html");
            Assert.True(File.Exists(deck), $"no deck for {Path.GetFileName(lesson)}:\n{output}");
            Assert.Equal(SlideDeck.Slides(Notebook.Load(lesson)).Count, System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(deck), "<section class=\"slide\"").Count);
        }
    }
}
