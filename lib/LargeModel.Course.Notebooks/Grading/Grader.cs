using System.Text.RegularExpressions;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Grading;

/// <summary>One learner's notebook to grade.</summary>
public sealed record Submission(string Learner, string Path);

/// <summary>What grading found for one submission: its lesson and a verdict per exercise, or why it could not be graded.</summary>
public sealed record GradeResult(Submission Submission, string? Lesson, string? Problem, IReadOnlyList<ExerciseVerdict> Verdicts);

/// <summary>
/// Grading with the course's own checks. A learner's notebook is matched to its lesson by the ids of its cells;
/// the graded copy takes every check cell from the course's copy (so editing a check changes nothing), drops the
/// reference solutions, and only verdicts shown by those official check cells count.
/// </summary>
public sealed class Grader(IReadOnlyList<Notebook> lessons)
{
    static readonly Regex ExerciseName = new(@"Exercise\.Check\(\s*""(?<name>[^""]+)""");

    /// <summary>The submissions under <paramref name="path"/>: a notebook; or a folder of notebooks (one learner each) and subfolders (one learner each).</summary>
    public static IReadOnlyList<Submission> Find(string path)
    {
        if (File.Exists(path)) return [new Submission(System.IO.Path.GetFileNameWithoutExtension(path), System.IO.Path.GetFullPath(path))];
        if (!Directory.Exists(path)) throw new FileNotFoundException($"{path} does not exist: give a learner's notebook, or a folder with one notebook or one subfolder per learner.");
        var found = Directory.GetFiles(path, "*.ipynb").Order(StringComparer.Ordinal)
            .Select(f => new Submission(System.IO.Path.GetFileNameWithoutExtension(f), System.IO.Path.GetFullPath(f))).ToList();
        foreach (var folder in Directory.GetDirectories(path).Order(StringComparer.Ordinal))
            found.AddRange(Directory.GetFiles(folder, "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Where(f => !f.Contains(".ipynb_checkpoints", StringComparison.Ordinal))
                .Select(f => new Submission(System.IO.Path.GetFileName(folder), System.IO.Path.GetFullPath(f))));
        return found;
    }

    /// <summary>The lesson a submission answers: the one whose exercise and check cell ids it carries most of.</summary>
    public Notebook? LessonOf(Notebook submission)
    {
        var ids = submission.Cells.Select(c => c.Id).Where(id => id is not null).ToHashSet();
        return lessons
            .Select(l => (Lesson: l, Shared: l.Cells.Count(c => (c.Tags.Contains(Tags.Exercise) || c.Tags.Contains(Tags.Check)) && ids.Contains(c.Id))))
            .Where(p => p.Shared > 0)
            .OrderByDescending(p => p.Shared)
            .Select(p => p.Lesson)
            .FirstOrDefault();
    }

    /// <summary>
    /// The notebook that is run: the learner's cells, with every check cell as the course wrote it (restored if the
    /// learner deleted it) and no reference solution.
    /// </summary>
    public static Notebook Prepare(Notebook submission, Notebook lesson)
    {
        var graded = submission.Clone();
        var solutionIds = lesson.Cells.Where(c => c.Tags.Contains(Tags.Solution)).Select(c => c.Id).ToHashSet();
        graded.Cells.RemoveAll(c => c.Tags.Contains(Tags.Solution) || solutionIds.Contains(c.Id));
        var official = lesson.Cells.Where(c => c.Tags.Contains(Tags.Check)).Select(c => c.Id).ToHashSet();
        graded.Cells.RemoveAll(c => c.Tags.Contains(Tags.Check) && !official.Contains(c.Id)); // a check cell of the learner's own

        Cell? exercise = null;
        foreach (var cell in lesson.Cells)
        {
            if (cell.Tags.Contains(Tags.Exercise)) exercise = cell;
            if (!cell.Tags.Contains(Tags.Check)) continue;
            int at = graded.Cells.FindIndex(c => c.Id == cell.Id);
            var copy = new Cell((System.Text.Json.Nodes.JsonObject)cell.Json.DeepClone(), 0);
            if (at >= 0)
            {
                graded.Cells[at] = copy;
                continue;
            }
            // Deleted by the learner: put it back after their exercise cell, or at the end with the stub.
            int after = exercise is null ? -1 : graded.Cells.FindIndex(c => c.Id == exercise.Id);
            if (after < 0 && exercise is not null)
            {
                graded.Cells.Add(new Cell((System.Text.Json.Nodes.JsonObject)exercise.Json.DeepClone(), 0));
                after = graded.Cells.Count - 1;
            }
            graded.Cells.Insert(after < 0 ? graded.Cells.Count : after + 1, copy);
        }
        graded.ClearOutputs();
        return graded;
    }

    /// <summary>The verdicts of the executed graded notebook, read from the official check cells only, in the lesson's order.</summary>
    public static IReadOnlyList<ExerciseVerdict> Verdicts(Notebook lesson, Notebook? executed, string? failure)
    {
        var verdicts = new List<ExerciseVerdict>();
        foreach (var check in lesson.Cells.Where(c => c.Tags.Contains(Tags.Check)))
        {
            string name = ExerciseName.Match(check.Source) is { Success: true } m ? m.Groups["name"].Value : $"check {check.Id}";
            var cell = executed?.Cells.FirstOrDefault(c => c.Id == check.Id);
            var shown = cell is null ? [] : ExerciseOutput.Read(cell.Outputs).ToList();
            if (shown.Count > 0)
            {
                verdicts.Add(shown[^1] with { Exercise = name });
                continue;
            }
            string? error = cell?.Outputs.Select(o => o!.AsObject()).Where(o => o["output_type"]?.GetValue<string>() == "error")
                .Select(o => $"{o["ename"]?.GetValue<string>()}: {o["evalue"]?.GetValue<string>()}").FirstOrDefault();
            string why = error is not null ? $"the check could not run: {error}"
                : cell?.Json["execution_count"] is null ? $"the check did not run{(failure is null ? "" : $" ({failure})")}"
                : "the check showed no verdict";
            verdicts.Add(new ExerciseVerdict(name, Verdict.Error, why));
        }
        return verdicts;
    }
}
