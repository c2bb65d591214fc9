using LargeModel.Course.Notebooks.Ipynb;
using static LargeModel.Course.Notebooks.Tests.TestNotebook;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary><c>course run</c> end to end: real processes, one per notebook.</summary>
public class CliRunTests
{
    [Fact]
    public void A_crash_or_a_stuck_cell_in_one_notebook_does_not_stop_the_others()
    {
        using var folder = new TempFolder();
        var notebooks = Path.Combine(folder.Path, "notebooks");
        Directory.CreateDirectory(notebooks);
        File.WriteAllText(Path.Combine(notebooks, "1-crash.ipynb"), Of(Code("Console.WriteLine(\"about to crash\");"), Code("Environment.FailFast(\"simulated native crash\");")));
        File.WriteAllText(Path.Combine(notebooks, "2-stuck.ipynb"), Of(Code("while (true) { }")));
        File.WriteAllText(Path.Combine(notebooks, "3-fine.ipynb"), Of(Code("Console.WriteLine(6 * 7);")));
        var outFolder = Path.Combine(folder.Path, "out");

        // The limit applies to every cell, and a first cell's compilation can take seconds on a busy machine: 2 s once
        // timed out the crash notebook's first cell in a loaded run, so the limit leaves room for that.
        var (code, output, _) = Repository.Course("run", notebooks, "--out", outFolder, "--cell-timeout", "10");

        Assert.Equal(1, code);
        Assert.Contains("[1/3] 1-crash.ipynb FAILED", output);
        Assert.Contains("1-crash.ipynb, cell 2: the notebook's process crashed", output);
        Assert.Contains("2-stuck.ipynb, cell 1: CellTimeout", output);
        Assert.Contains("[3/3] 3-fine.ipynb ok (1 cells", output);
        Assert.Matches(@"3-fine\.ipynb\s+1\s+[\d.]+\s+-\s+ok", output); // the summary table (no exercises: "-")
        var crashed = Notebook.Load(Path.Combine(outFolder, "1-crash.ipynb"));
        Assert.Equal("NotebookProcessCrashed", crashed.Cells[1].Outputs.Last()!["ename"]!.GetValue<string>());
        Assert.Equal("about to crash\n", crashed.Cells[0].Outputs[0]!["text"]!.GetValue<string>());
        var stuck = Notebook.Load(Path.Combine(outFolder, "2-stuck.ipynb"));
        Assert.Equal("CellTimeout", stuck.Cells[0].Outputs.Last()!["ename"]!.GetValue<string>());
    }

    [Fact]
    public void The_source_notebook_is_untouched_unless_in_place_is_asked()
    {
        using var folder = new TempFolder();
        var path = folder.Write("lesson.ipynb", Of(Code("1 + 2")));
        byte[] before = File.ReadAllBytes(path);

        var refused = Repository.Course("run", path, "--out", folder.Path);
        Assert.Equal(1, refused.Code);
        Assert.Contains("would be overwritten", refused.Error);
        Assert.DoesNotContain("   at ", refused.Error);

        var (code, _, _) = Repository.Course("run", path, "--out", Path.Combine(folder.Path, "out"), "--html");
        Assert.Equal(0, code);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.True(File.Exists(Path.Combine(folder.Path, "out", "lesson.html")));

        var inPlace = Repository.Course("run", path, "--in-place");
        Assert.Equal(0, inPlace.Code);
        Assert.Equal("3", Notebook.Load(path).Cells[0].Outputs[0]!["data"]!["text/plain"]!.GetValue<string>());
        Assert.Single(Directory.GetFiles(folder.Path, "lesson.ipynb*"));
    }

    [Fact]
    public void A_malformed_notebook_or_a_bad_parameter_gets_one_clear_message()
    {
        using var folder = new TempFolder();
        var broken = folder.Write("broken.ipynb", "{\"cells\": [");
        var lesson = folder.Write("lesson.ipynb", Of(Code("int steps = 10;", "parameters")));
        var outFolder = Path.Combine(folder.Path, "out");

        var (code, output, error) = Repository.Course("run", broken, lesson, "--out", outFolder, "--param", "steps=many");

        Assert.Equal(1, code);
        Assert.Contains("broken.ipynb cannot be opened: it is not valid JSON", output);
        Assert.Contains("--param steps=many: steps is declared as int, and 'many' is not a whole number.", output);
        Assert.DoesNotContain("   at ", output + error);

        var missing = Repository.Course("run", Path.Combine(folder.Path, "nope.ipynb"));
        Assert.Equal(1, missing.Code);
        Assert.Contains("nope.ipynb does not exist", missing.Error);
        Assert.DoesNotContain("   at ", missing.Error);
    }
}

public class CliExportTests
{
    [Fact]
    public void A_learners_edition_has_no_solution_cells_and_the_source_is_untouched()
    {
        using var folder = new TempFolder();
        var path = folder.Write("lesson.ipynb", TestNotebook.Of(TestNotebook.Code("int Answer() => throw new NotImplementedException();", "exercise"), TestNotebook.Code("int Answer() => 42;", "solution"), TestNotebook.Code("Answer()", "check")));
        byte[] before = File.ReadAllBytes(path);
        var edition = Path.Combine(folder.Path, "learners");

        var (code, output, _) = Repository.Course("export", path, "--strip-tag", "solution", "--out", edition);

        Assert.Equal(0, code);
        Assert.Contains("lesson.ipynb ->", output);
        var exported = Notebook.Load(Path.Combine(edition, "lesson.ipynb"));
        Assert.Equal(["exercise", "check"], exported.Cells.Select(c => c.Tags.Single()));
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
