using System.CommandLine;
using System.Diagnostics;
using LargeModel.Course.Notebooks.Grading;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Running;

namespace LargeModel.Course.Cli;

/// <summary>
/// <c>course grade</c>: runs learners' notebooks with the course's own checks, each in a process of its own, with
/// time limits and (where Linux allows) no network, and reports a verdict per exercise. Submissions are only read.
/// </summary>
static class GradeCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("submissions") { Description = "A learner's notebook, or a folder with one notebook or one subfolder per learner." };
        var output = new Option<string>("--out") { Description = "Folder for the executed copies and the reports (grades.csv, grades.json, grades.html).", DefaultValueFactory = _ => Path.Combine("artifacts", "grades") };
        var course = new Option<string?>("--course") { Description = "The course's lessons folder (default: notebooks/ of this clone): the official checks come from there." };
        var cellTimeout = new Option<double>("--cell-timeout") { Description = "Seconds one cell may run.", DefaultValueFactory = _ => 120 };
        var notebookTimeout = new Option<double>("--notebook-timeout") { Description = "Seconds one submission may run in all.", DefaultValueFactory = _ => 600 };
        var command = new Command("grade", "Grade learners' notebooks with the course's official checks: a table per learner and exercise, CSV, JSON and HTML.")
        {
            path, output, course, cellTimeout, notebookTimeout,
        };
        command.SetAction(result => Run(result.GetValue(path)!, Path.GetFullPath(result.GetValue(output)!), result.GetValue(course),
            TimeSpan.FromSeconds(result.GetValue(cellTimeout)), TimeSpan.FromSeconds(result.GetValue(notebookTimeout))));
        return command;
    }

    static int Run(string path, string output, string? courseFolder, TimeSpan cellTimeout, TimeSpan notebookTimeout)
    {
        var lessons = CourseNotebooks.Load(CourseNotebooks.Folder(courseFolder));
        var grader = new Grader(lessons);
        var submissions = Grader.Find(path);
        if (submissions.Count == 0)
        {
            Console.Error.WriteLine($"course grade: no notebooks (.ipynb) in {path}.");
            return 2;
        }
        var isolation = NetworkIsolation.Probe();
        Console.WriteLine(isolation.Prefix.Count > 0
            ? "Submissions run without network access (a network namespace of their own)."
            : $"Note: submissions run with this machine's network ({isolation.Why}).");

        var results = new List<GradeResult>();
        var runner = new IsolatedRunner(arguments => isolation.Wrap(RunCommand.ChildProcess(arguments)), TextWriter.Null);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var submission in submissions)
        {
            Console.Write($"{submission.Learner}: {Path.GetFileName(submission.Path)} ");
            var graded = Grade(submission, grader, runner, output, used, cellTimeout, notebookTimeout);
            results.Add(graded);
            Console.WriteLine(graded.Problem is { } problem ? $"not graded: {problem}"
                : $"{graded.Lesson}, {graded.Verdicts.Count(v => v.Verdict == Verdict.Correct)} of {graded.Verdicts.Count} correct");
        }

        Console.WriteLine();
        Console.WriteLine(submissions.Count == 1 ? GradeReport.Table(results[0]) : GradeReport.ClassTable(results));
        Directory.CreateDirectory(output);
        AtomicFile.WriteAllText(Path.Combine(output, "grades.csv"), GradeReport.Csv(results));
        AtomicFile.WriteAllText(Path.Combine(output, "grades.json"), GradeReport.Json(results));
        AtomicFile.WriteAllText(Path.Combine(output, "grades.html"), GradeReport.Html(results));
        Console.WriteLine($"Reports: {Path.Combine(output, "grades.csv")}, grades.json and grades.html; executed copies under {Path.Combine(output, "executed")}.");
        return 0;
    }

    static GradeResult Grade(Submission submission, Grader grader, IsolatedRunner runner, string output, HashSet<string> used, TimeSpan cellTimeout, TimeSpan notebookTimeout)
    {
        Notebook notebook;
        try
        {
            notebook = Notebook.Load(submission.Path);
        }
        catch (Exception e) when (e is NotebookFormatException or IOException or UnauthorizedAccessException)
        {
            return new GradeResult(submission, null, $"unreadable: {e.Message}", []);
        }
        var lesson = grader.LessonOf(notebook);
        if (lesson is null)
            return new GradeResult(submission, null, "not one of the course's lessons: none of its cells carries the id of a course exercise or check (was it made from the course's notebooks?)", []);

        // Each submission gets folders of its own, so two learners' copies of one lesson never meet.
        string name = Safe(submission.Learner);
        for (int n = 2; !used.Add(name + "/" + lesson.Name); n++) name = $"{Safe(submission.Learner)}-{n}";
        string prepared = Path.Combine(output, "prepared", name, lesson.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(prepared)!);
        Grader.Prepare(notebook, lesson).Save(prepared);

        var request = new RunRequest
        {
            OutputFolder = Path.Combine(output, "executed", name),
            NotebookTimeout = notebookTimeout,
            Options = new RunOptions { Quick = true, CellTimeout = cellTimeout, ContinueAfterErrors = true },
        };
        var summary = runner.Run([prepared], request).Single();
        string executedPath = request.ExecutedPath(prepared);
        Notebook? executed = File.Exists(executedPath) ? Notebook.Load(executedPath) : null;
        return new GradeResult(submission, Path.GetFileNameWithoutExtension(lesson.Name), null, Grader.Verdicts(lesson, executed, summary.Failure));
    }

    static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')).TrimStart('.') is { Length: > 0 } s ? s : "learner";
}

/// <summary>Runs a child process in a network namespace of its own (Linux, util-linux <c>unshare</c>) when the system allows it.</summary>
sealed record NetworkIsolation(IReadOnlyList<string> Prefix, string Why)
{
    public static NetworkIsolation Probe()
    {
        if (!OperatingSystem.IsLinux()) return new([], "network isolation is implemented for Linux only");
        string[] prefix = Environment.UserName == "root" ? ["unshare", "--net"] : ["unshare", "--net", "--map-root-user"];
        try
        {
            var start = new ProcessStartInfo(prefix[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in prefix.Skip(1).Append("true")) start.ArgumentList.Add(a);
            using var probe = Process.Start(start)!;
            if (probe.WaitForExit(10_000) && probe.ExitCode == 0) return new(prefix, "");
            return new([], $"`{string.Join(' ', prefix)}` is not allowed here: {probe.StandardError.ReadToEnd().Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new([], "`unshare` (util-linux) is not installed");
        }
    }

    public ProcessStartInfo Wrap(ProcessStartInfo start)
    {
        if (Prefix.Count == 0) return start;
        var wrapped = new ProcessStartInfo(Prefix[0]);
        foreach (var a in Prefix.Skip(1)) wrapped.ArgumentList.Add(a);
        wrapped.ArgumentList.Add(start.FileName);
        foreach (var a in start.ArgumentList) wrapped.ArgumentList.Add(a);
        foreach (var (key, value) in start.Environment) wrapped.Environment[key] = value;
        return wrapped;
    }
}
