using System.Xml.Linq;
using LargeModel.Course.Notebooks.Export;
using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>The lessons' figures (assets/*.svg): each one exists, is drawn for both themes, and travels inside the pages.</summary>
public class FigureTests
{
    static string Assets => Path.Combine(Repository.Root, "assets");

    static IEnumerable<Notebook> Lessons() =>
        Directory.GetFiles(Repository.Notebooks, "*.ipynb").Order(StringComparer.Ordinal).Select(Notebook.Load);

    static IEnumerable<(Notebook Lesson, string Reference)> References() =>
        Lessons().SelectMany(n => n.Cells.Where(c => c.Type == CellType.Markdown).SelectMany(c => Figures.Referenced(c.Source)).Select(r => (n, r)));

    [Fact]
    public void Every_figure_a_lesson_references_exists_in_assets()
    {
        var references = References().ToList();
        Assert.True(references.Count >= 10, $"the lessons reference only {references.Count} figures");
        Assert.All(references, r =>
        {
            string file = Path.GetFullPath(Path.Combine(Repository.Notebooks, r.Reference));
            Assert.True(File.Exists(file), $"{r.Lesson.Name} shows {r.Reference}, which does not exist");
            Assert.Equal(Assets, Path.GetDirectoryName(file));
        });
    }

    [Fact]
    public void Every_figure_is_shown_by_a_lesson_and_drawn_on_its_own_light_card()
    {
        var shown = References().Select(r => Path.GetFileName(r.Reference)).ToHashSet();
        var files = Directory.GetFiles(Assets, "*.svg");
        Assert.NotEmpty(files);
        Assert.All(files, file =>
        {
            Assert.Contains(Path.GetFileName(file), shown);
            var svg = XDocument.Load(file).Root!;       // well-formed XML, or this throws
            XNamespace ns = "http://www.w3.org/2000/svg";
            Assert.Equal(ns + "svg", svg.Name);
            Assert.False(string.IsNullOrWhiteSpace(svg.Element(ns + "title")?.Value), $"{file} has no <title> for screen readers");
            var box = svg.Attribute("viewBox")!.Value.Split(' ').Select(double.Parse).ToArray();
            Assert.Equal(box[2], double.Parse(svg.Attribute("width")!.Value));
            // Legible on dark themes too: the first thing drawn is an opaque light card as large as the figure.
            var card = svg.Elements(ns + "rect").First();
            Assert.Equal("#ffffff", card.Attribute("fill")?.Value);
            Assert.True(double.Parse(card.Attribute("width")!.Value) >= box[2] - 2 && double.Parse(card.Attribute("height")!.Value) >= box[3] - 2, $"{file}: the card does not cover the figure");
            Assert.DoesNotContain("http://", File.ReadAllText(file).Replace("http://www.w3.org/2000/svg", ""));    // nothing fetched
        });
    }

    [Fact]
    public void Every_figure_is_embedded_in_its_lessons_page()
    {
        foreach (var lesson in Lessons())
        {
            var references = lesson.Cells.Where(c => c.Type == CellType.Markdown).SelectMany(c => Figures.Referenced(c.Source)).ToList();
            if (references.Count == 0) continue;
            string page = HtmlExport.Render(lesson);
            foreach (var reference in references)
            {
                string file = Path.Combine(Repository.Notebooks, reference);
                Assert.Contains($"src=\"data:image/svg+xml;base64,{Convert.ToBase64String(File.ReadAllBytes(file))}\"", page);
            }
            Assert.DoesNotContain("src=\"../assets/", page);
        }
    }

    [Fact]
    public void Figures_are_read_from_the_folder_given_and_other_images_are_left_alone()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "assets"));
        File.WriteAllText(Path.Combine(folder.Path, "assets", "a b.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        string html = HtmlExport.RenderMarkdown("![one](assets/a%20b.svg) ![web](https://example.org/x.png) ![gone](assets/missing.svg)", folder.Path);
        Assert.Contains("src=\"data:image/svg+xml;base64,", html);
        Assert.Contains("src=\"https://example.org/x.png\"", html);
        Assert.Contains("src=\"assets/missing.svg\"", html);
        Assert.Equal(["assets/a%20b.svg", "assets/missing.svg"], Figures.Referenced("![one](assets/a%20b.svg) ![web](https://example.org/x.png) ![gone](assets/missing.svg)"));
    }
}
