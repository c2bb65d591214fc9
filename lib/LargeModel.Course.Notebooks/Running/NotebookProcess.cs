using System.Text.Json;
using LargeModel.Course.Notebooks.Export;
using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Running;

/// <summary>
/// The child side of an isolated run: executes one notebook in this process, saves the executed copy after
/// every cell (so a crash loses nothing that ran), and reports progress to the parent as JSON lines on the
/// real standard output. Exit codes: 0 ran, 1 a cell failed, 2 the input was unusable, 3 a cell was stuck.
/// </summary>
public static class NotebookProcess
{
    public const int Ran = 0, CellFailed = 1, BadInput = 2, Stuck = 3;

    public static async Task<int> RunAsync(string notebookPath, RunRequest request)
    {
        using var events = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        void Report(object message) => events.WriteLine(JsonSerializer.Serialize(message));

        Notebook source;
        try
        {
            source = Notebook.Load(notebookPath);
        }
        catch (NotebookFormatException e)
        {
            Report(new { @event = "failed", message = e.Message });
            return BadInput;
        }

        string executedPath = request.ExecutedPath(notebookPath);
        var runner = new NotebookRunner(request.Options)
        {
            OnStuck = (notebook, cell, message) =>
            {
                Save(notebook, executedPath, request, notebookPath);
                Report(new { @event = "stuck", cell = cell.Number, message });
                Environment.Exit(Stuck);
            },
        };
        runner.CellStarting += cell => Report(new { @event = "start", cell = cell.Number });
        runner.CellFinished += (notebook, run) =>
        {
            Save(notebook, executedPath, request, notebookPath, html: false);
            Report(new { @event = "done", cell = run.Number, seconds = run.Seconds, error = run.Error?.Summary });
        };

        NotebookRun result;
        try
        {
            result = await runner.RunAsync(source);
        }
        catch (ParameterException e)
        {
            Report(new { @event = "failed", message = e.Message });
            return BadInput;
        }
        Save(result.Executed, executedPath, request, notebookPath);
        var verdicts = result.Verdicts.Select(v => v.Verdict).ToList();
        string? exercises = verdicts.Count == 0 ? null : $"{verdicts.Count(v => v.Verdict == Verdict.Correct)}/{verdicts.Count}";
        Report(new { @event = "finished", cells = result.Cells.Count, seconds = result.Seconds, failure = result.Failure, exercises });
        return result.Succeeded ? Ran : CellFailed;
    }

    internal static void Save(Notebook executed, string executedPath, RunRequest request, string sourcePath, bool html = true)
    {
        executed.Save(executedPath);
        if (html && request.Html) HtmlExport.Write(executed, request.HtmlPath(sourcePath));
    }
}
