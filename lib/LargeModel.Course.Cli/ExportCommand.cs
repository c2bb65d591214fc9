using System.CommandLine;
using LargeModel.Course.Notebooks.Export;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Running;

namespace LargeModel.Course.Cli;

/// <summary>
/// <c>course export</c>: copies of notebooks for handing out, without running them: with the reference
/// solutions stripped (a learner's edition), clean of outputs, and/or as static HTML pages or slide decks of
/// notebooks that were executed before.
/// </summary>
static class ExportCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("notebooks") { Description = "Notebooks (.ipynb) or folders of notebooks.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for the exported files.", Required = true };
        var strip = new Option<string[]>("--strip-tag") { Description = "Leave out cells with this tag, e.g. `solution` for a learner's edition (repeatable)." };
        var clear = new Option<bool>("--clear-outputs") { Description = "Remove outputs and execution counts." };
        var html = new Option<bool>("--html") { Description = "Write an HTML page instead of a notebook." };
        var slides = new Option<bool>("--slides") { Description = "Write an HTML slide deck (NAME.slides.html) instead of a notebook: a slide per section or per cell marked as a slide." };
        var hideCode = new Option<bool>("--hide-code") { Description = "Slides show code cells' outputs only, not their source." };
        var figures = new Option<string?>("--figures-from") { Description = "Folder that figure paths such as ../assets/x.svg are relative to (default: each notebook's folder); for executed copies outside notebooks/." };
        var command = new Command("export", "Write copies of notebooks: without solutions, without outputs, or as HTML pages or slide decks.")
        {
            paths, output, strip, clear, html, slides, hideCode, figures,
        };
        command.SetAction(result =>
        {
            var folder = Path.GetFullPath(result.GetValue(output)!);
            var tags = (result.GetValue(strip) ?? []).ToHashSet();
            foreach (var path in RunRequest.FindNotebooks(result.GetValue(paths)!))
            {
                var notebook = Notebook.Load(path);
                bool page = result.GetValue(html) || result.GetValue(slides);
                string? figureFolder = result.GetValue(figures) is { } f ? Path.GetFullPath(f) : null;
                if (Path.GetDirectoryName(path) == folder && !page)
                    throw new InvalidOperationException($"--out is the folder of {Path.GetFileName(path)}, which would be overwritten. Choose another folder.");
                notebook.Cells.RemoveAll(c => c.Tags.Any(tags.Contains));
                if (result.GetValue(clear)) notebook.ClearOutputs();
                string target;
                if (result.GetValue(slides))
                {
                    target = Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".slides.html");
                    SlideDeck.Write(notebook, target, showCode: !result.GetValue(hideCode), figureFolder);
                }
                else if (result.GetValue(html))
                {
                    target = Path.Combine(folder, Path.ChangeExtension(Path.GetFileName(path), ".html"));
                    HtmlExport.Write(notebook, target, figureFolder);
                }
                else
                {
                    target = Path.Combine(folder, Path.GetFileName(path));
                    notebook.Save(target);
                }
                Console.WriteLine($"{Path.GetFileName(path)} -> {target}");
            }
            return 0;
        });
        return command;
    }
}
