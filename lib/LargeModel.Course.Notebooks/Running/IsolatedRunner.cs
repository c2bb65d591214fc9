using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Running;

/// <summary>One notebook's line in the run summary.</summary>
public sealed record NotebookSummary(string Notebook, int Cells, double Seconds, string Status, string? Failure)
{
    /// <summary>Exercises correct of those checked, e.g. "3/4", or null for a notebook without exercises.</summary>
    public string? Exercises { get; init; }

    public bool Succeeded => Failure is null;
}

/// <summary>
/// Runs each notebook in a process of its own, so a native crash, a runaway cell or a leak in one lesson
/// cannot take the others down, and reports a progress line per notebook and a summary at the end.
/// </summary>
/// <param name="childCommand">How to start <c>course run-notebook</c> (the CLI knows its own path).</param>
public sealed class IsolatedRunner(Func<IEnumerable<string>, ProcessStartInfo> childCommand, TextWriter log)
{
    public IReadOnlyList<NotebookSummary> Run(IReadOnlyList<string> notebooks, RunRequest request)
    {
        if (!request.InPlace)
        {
            var clash = notebooks.FirstOrDefault(n => Path.GetFullPath(n) == request.ExecutedPath(n));
            if (clash is not null)
                throw new InvalidOperationException(
                    $"The output folder is the notebooks' own folder, so {Path.GetFileName(clash)} would be overwritten. Choose another --out, or pass --in-place if you really want the source notebooks replaced by their executed versions.");
        }
        var summaries = new List<NotebookSummary>();
        for (int i = 0; i < notebooks.Count; i++)
        {
            string name = Path.GetFileName(notebooks[i]);
            log.Write($"[{i + 1}/{notebooks.Count}] {name} ");
            log.Flush();
            var summary = RunOne(notebooks[i], request);
            summaries.Add(summary);
            log.WriteLine(summary.Succeeded
                ? $"ok ({summary.Cells} cells, {summary.Seconds:0.0} s)"
                : $"FAILED ({summary.Seconds:0.0} s)\n    {summary.Failure}");
        }
        log.WriteLine();
        log.WriteLine(Table(summaries));
        string executedFolder = request.InPlace ? "in place" : $"in {Path.GetFullPath(request.OutputFolder)}";
        log.WriteLine($"{summaries.Count(s => s.Succeeded)} of {summaries.Count} notebooks ran; executed copies{(request.Html ? " and HTML pages" : "")} are {executedFolder}.");
        return summaries;
    }

    NotebookSummary RunOne(string notebook, RunRequest request)
    {
        var arguments = new List<string> { "run-notebook", notebook, "--out", Path.GetFullPath(request.OutputFolder) };
        foreach (var (key, value) in request.Options.Parameters) arguments.AddRange(["--param", $"{key}={value}"]);
        if (request.Options.Quick) arguments.Add("--quick");
        if (request.Options.Solutions) arguments.Add("--solutions");
        if (request.Options.ContinueAfterErrors) arguments.Add("--continue-after-errors");
        if (request.Options.CellTimeout is { } timeout) arguments.AddRange(["--cell-timeout", timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        foreach (var tag in request.Options.SkipTags) arguments.AddRange(["--skip-tag", tag]);
        if (request.Html) arguments.Add("--html");
        if (request.InPlace) arguments.Add("--in-place");

        var start = childCommand(arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the notebook process.");
        var stderr = process.StandardError.ReadToEndAsync();

        int cells = 0, running = 0;
        string? failure = null, exercises = null;
        bool finished = false;
        var lastEvent = Stopwatch.StartNew();
        // If the child goes silent well past its own cell timeout, it is stuck beyond its own watchdog: end it.
        TimeSpan silence = (request.Options.CellTimeout ?? TimeSpan.FromDays(1)) + request.Options.InterruptGrace + TimeSpan.FromSeconds(60);
        bool overran = false;
        using var killer = new Timer(_ =>
        {
            if (request.NotebookTimeout is { } limit && clock.Elapsed > limit) overran = true;
            if (overran || lastEvent.Elapsed > silence) KillQuietly(process);
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            lastEvent.Restart();
            JsonObject? message;
            try
            {
                message = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                continue; // not one of ours
            }
            switch (message?["event"]?.GetValue<string>())
            {
                case "start":
                    running = message["cell"]!.GetValue<int>();
                    break;
                case "done":
                    cells++;
                    running = 0;
                    break;
                case "stuck":
                    failure = $"{Path.GetFileName(notebook)}, cell {message["cell"]}: CellTimeout: {message["message"]}";
                    break;
                case "failed":
                    failure = message["message"]!.GetValue<string>();
                    break;
                case "finished":
                    finished = true;
                    failure = message["failure"]?.GetValue<string>();
                    exercises = message["exercises"]?.GetValue<string>();
                    break;
            }
        }
        process.WaitForExit();
        if (!finished && failure is null)
        {
            string why = overran ? $"ran longer than the {request.NotebookTimeout!.Value.TotalSeconds:0} s allowed per notebook and was stopped"
                : lastEvent.Elapsed > silence ? "went silent and was stopped" : $"crashed (exit code {process.ExitCode})";
            string detail = stderr.Result.Trim().Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
            failure = $"{Path.GetFileName(notebook)}, cell {running}: the notebook's process {why}{(detail.Length > 0 ? $": {detail}" : "")}";
            RecordCrash(notebook, request, running, failure);
        }
        string status = failure is null ? "ok" : "FAILED";
        return new NotebookSummary(Path.GetFileName(notebook), cells, clock.Elapsed.TotalSeconds, status, failure) { Exercises = exercises };
    }

    /// <summary>After a crash, the executed copy still gets the error, in the cell that was running.</summary>
    static void RecordCrash(string notebook, RunRequest request, int cellNumber, string message)
    {
        string executedPath = request.ExecutedPath(notebook);
        Notebook executed;
        try
        {
            executed = Notebook.Load(File.Exists(executedPath) && !request.InPlace ? executedPath : notebook);
        }
        catch (NotebookFormatException)
        {
            return;
        }
        var cell = executed.Cells.FirstOrDefault(c => c.Number == cellNumber);
        cell?.Outputs.Add(new JsonObject
        {
            ["output_type"] = "error",
            ["ename"] = "NotebookProcessCrashed",
            ["evalue"] = message,
            ["traceback"] = new JsonArray(message),
        });
        NotebookProcess.Save(executed, executedPath, request, notebook);
    }

    static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public static string Table(IReadOnlyList<NotebookSummary> summaries)
    {
        int width = Math.Max("Notebook".Length, summaries.Select(s => s.Notebook.Length).DefaultIfEmpty(0).Max());
        var lines = new List<string> { $"{"Notebook".PadRight(width)}  Cells  Seconds  {"Exercises",-11}  Status" };
        lines.AddRange(summaries.Select(s => $"{s.Notebook.PadRight(width)}  {s.Cells,5}  {s.Seconds,7:0.0}  {(s.Exercises is { } e ? e + " correct" : "-"),-11}  {s.Status}"));
        return string.Join(Environment.NewLine, lines);
    }
}
