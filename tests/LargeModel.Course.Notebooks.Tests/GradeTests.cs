using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>
/// <c>course grade</c> end to end on a class folder: a correct, a partly correct, a blank, a tampered-check, a
/// malformed and a foreign submission. The grades come from the course's own checks; submissions stay untouched.
/// </summary>
public class GradeTests
{
    const string Lesson = "01-linear-regression.ipynb";

    /// <summary>The lesson with the learner's exercise cells answered by the reference solutions (all, or the first <paramref name="count"/>).</summary>
    static Notebook Answered(int count)
    {
        var notebook = Notebook.Load(Path.Combine(Repository.Notebooks, Lesson));
        var exercises = notebook.Cells.Where(c => c.Tags.Contains("exercise")).Take(count).ToList();
        foreach (var exercise in exercises)
        {
            var solution = notebook.Cells.First(c => c.Index > exercise.Index && c.Tags.Contains("solution"));
            exercise.Source = string.Join('\n', solution.Source.Split('\n').Where(l => !l.StartsWith("#if SOLUTIONS", StringComparison.Ordinal) && !l.StartsWith("#endif", StringComparison.Ordinal)));
        }
        // A learner's edition has no solution cells: take them out, as `course student-copy` does.
        notebook.Cells.RemoveAll(c => c.Tags.Contains("solution"));
        return notebook;
    }

    [Fact]
    public void A_class_folder_is_graded_with_the_courses_checks_and_the_submissions_are_left_untouched()
    {
        using var folder = new TempFolder();
        string submissions = Path.Combine(folder.Path, "class");
        Directory.CreateDirectory(Path.Combine(submissions, "bea"));
        Answered(4).Save(Path.Combine(submissions, "ada.ipynb"));
        Answered(2).Save(Path.Combine(submissions, "bea", Lesson));
        Answered(0).Save(Path.Combine(submissions, "cyd.ipynb"));
        // dan makes every check pass by editing it, and writes a wrong answer: the course's check must still catch it.
        var tampered = Answered(0);
        foreach (var check in tampered.Cells.Where(c => c.Tags.Contains("check"))) check.Source = "Exercise.Check(\"Exercise 1\", () => { });";
        tampered.Cells.First(c => c.Tags.Contains("exercise")).Source = "double MeanSquaredError(double[] yHat, double[] y) => yHat.Zip(y, (p, t) => (p - t) * (p - t)).Sum();";
        // ... and adds a check cell of their own that claims exercise 2 is correct: only official check cells count.
        var withOwnCheck = JsonNode.Parse(tampered.ToJson())!;
        withOwnCheck["cells"]!.AsArray().Add(new JsonObject
        {
            ["cell_type"] = "code",
            ["id"] = "dans-own",
            ["metadata"] = new JsonObject { ["tags"] = new JsonArray("check") },
            ["outputs"] = new JsonArray(),
            ["execution_count"] = null,
            ["source"] = "Exercise.Check(\"Exercise 2\", () => { });",
        });
        File.WriteAllText(Path.Combine(submissions, "dan.ipynb"), withOwnCheck.ToJsonString());
        File.WriteAllText(Path.Combine(submissions, "eve.ipynb"), "{\"cells\": [ {\"cell_type\": \"code\", \"sour");
        File.WriteAllText(Path.Combine(submissions, "fay.ipynb"), TestNotebook.Of(("code", "1 + 1", [])));
        var hashes = Directory.GetFiles(submissions, "*", SearchOption.AllDirectories).ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

        string output = Path.Combine(folder.Path, "grades");
        var (code, log, error) = Repository.Course("grade", submissions, "--out", output);
        Assert.True(code == 0, $"{log}\n{error}");

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "grades.json")))!["submissions"]!.AsArray();
        string Verdicts(string learner) => string.Join(",", json.Single(s => s!["learner"]!.GetValue<string>() == learner)!["exercises"]!.AsArray().Select(e => e!["verdict"]!.GetValue<string>()));
        Assert.Equal("correct,correct,correct,correct", Verdicts("ada"));
        Assert.Equal("correct,correct,not attempted,not attempted", Verdicts("bea"));
        Assert.Equal("not attempted,not attempted,not attempted,not attempted", Verdicts("cyd"));
        Assert.Equal("wrong,not attempted,not attempted,not attempted", Verdicts("dan"));
        Assert.Contains("divide by the number of points", json.Single(s => s!["learner"]!.GetValue<string>() == "dan")!["exercises"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(json.Single(s => s!["learner"]!.GetValue<string>() == "eve")!["graded"]!.GetValue<bool>());
        Assert.Contains("not one of the course's lessons", json.Single(s => s!["learner"]!.GetValue<string>() == "fay")!["problem"]!.GetValue<string>(), StringComparison.Ordinal);

        // The class table: a row per graded learner, a line per submission that could not be graded.
        Assert.Matches(@"ada\s+correct\s+correct\s+correct\s+correct\s+4/4", log);
        Assert.Matches(@"bea\s+correct\s+correct\s+-\s+-\s+2/4", log);
        Assert.Contains("eve: not graded: unreadable", log, StringComparison.Ordinal);
        var csv = File.ReadAllLines(Path.Combine(output, "grades.csv"));
        Assert.Equal("learner,notebook,lesson,exercise,verdict,message", csv[0]);
        Assert.Equal(4 * 4 + 2 + 1, csv.Length);
        string html = File.ReadAllText(Path.Combine(output, "grades.html"));
        Assert.Contains("Plotly.newPlot", html, StringComparison.Ordinal);
        Assert.Contains("Pass rate per exercise", html, StringComparison.Ordinal);

        foreach (var (file, hash) in hashes) Assert.Equal(hash, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))));
    }

    [Fact]
    public void Student_copies_have_no_solutions_and_refuse_to_overwrite_a_learners_work()
    {
        using var folder = new TempFolder();
        var (code, log, error) = Repository.Course("student-copy", folder.Path);
        Assert.True(code == 0, $"{log}\n{error}");
        foreach (var lesson in Directory.GetFiles(Repository.Notebooks, "*.ipynb"))
        {
            var original = Notebook.Load(lesson);
            var copy = Notebook.Load(Path.Combine(folder.Path, "notebooks", Path.GetFileName(lesson)));
            Assert.DoesNotContain(copy.Cells, c => c.Tags.Contains("solution") || (c.Type == CellType.Code && c.Source.Contains("#if SOLUTIONS", StringComparison.Ordinal)));
            Assert.Equal(original.Cells.Where(c => !c.Tags.Contains("solution")).Select(c => c.Id), copy.Cells.Select(c => c.Id));
        }
        var (again, _, refusal) = Repository.Course("student-copy", folder.Path);
        Assert.Equal(2, again);
        Assert.Contains("--force", refusal, StringComparison.Ordinal);
    }
}
