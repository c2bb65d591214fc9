using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Session;

namespace LargeModel.Course.Notebooks.Running;

/// <summary>How to run a notebook.</summary>
public sealed record RunOptions
{
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Apply the notebook's own <c>// quick:</c> values, so the whole course runs in minutes (CI).</summary>
    public bool Quick { get; init; }

    /// <summary>A cell running longer is interrupted and reported; null means no limit.</summary>
    public TimeSpan? CellTimeout { get; init; }

    /// <summary>How long an interrupted cell gets to stop by itself before the run gives up on it.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Cells carrying any of these tags are not run, e.g. <c>solution</c> to execute a lesson as a learner first
    /// meets it, with the exercises still blank.
    /// </summary>
    public IReadOnlySet<string> SkipTags { get; init; } = new HashSet<string>();

    /// <summary>
    /// Run the reference solutions (cells tagged <c>solution</c>, whose code is inside <c>#if SOLUTIONS</c>). Then
    /// every exercise must come out correct, or the run fails: that is how the tests prove each check passes.
    /// </summary>
    public bool Solutions { get; init; }

    /// <summary>
    /// Go on after a failing cell, as Jupyter's "allow errors" does (grading: a learner's broken exercise must not
    /// hide the verdicts of the others). The run still reports the first failure.
    /// </summary>
    public bool ContinueAfterErrors { get; init; }

    /// <summary>The most output characters one cell may add to the executed notebook.</summary>
    public long MaxOutputPerCell { get; init; } = 20_000_000;
}

/// <summary>What happened to one cell.</summary>
public sealed record CellRun(int Number, string Language, double Seconds, CellError? Error);

/// <summary>An exercise verdict and the cell (by its nbformat id) whose check showed it.</summary>
public sealed record CellVerdict(string? CellId, ExerciseVerdict Verdict);

/// <summary>The result of running a notebook: the executed copy, a line per executed cell, the exercises' verdicts.</summary>
public sealed record NotebookRun(Notebook Executed, IReadOnlyList<CellRun> Cells, string? Failure)
{
    public IReadOnlyList<CellVerdict> Verdicts { get; init; } = [];

    public bool Succeeded => Failure is null;
    public double Seconds => Cells.Sum(c => c.Seconds);
}

/// <summary>
/// Executes a notebook top to bottom in one C# session, like "Run All": code cells run, Markdown renders,
/// the first failing cell stops the run and its error is written into the executed copy. The notebook that
/// was passed in is never changed; the executed copy is a new notebook.
/// </summary>
public sealed class NotebookRunner(RunOptions options)
{
    /// <summary>Called when a cell starts (cell number) and after it saved its outputs, e.g. to checkpoint the copy.</summary>
    public event Action<Cell>? CellStarting;

    public event Action<Notebook, CellRun>? CellFinished;

    /// <summary>Called when a cell outlives its timeout and the grace period: the host may save and exit.</summary>
    public Action<Notebook, Cell, string>? OnStuck { get; init; }

    public async Task<NotebookRun> RunAsync(Notebook source)
    {
        var notebook = source.Clone();
        notebook.ClearOutputs();
        InjectParameters(notebook);

        var session = new CSharpSession(Path.GetDirectoryName(Path.GetFullPath(source.Path ?? ".")) ?? ".") { Solutions = options.Solutions };
        var runs = new List<CellRun>();
        var verdicts = new List<CellVerdict>();
        string? firstFailure = null;
        string defaultLanguage = notebook.DefaultLanguage;
        foreach (var cell in notebook.Cells.Where(c => c.Type == CellType.Code && !c.Tags.Any(options.SkipTags.Contains)).ToList())
        {
            string language = cell.Language(defaultLanguage);
            CellStarting?.Invoke(cell);
            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            CellError? error = language switch
            {
                "csharp" => await ExecuteCSharp(session, notebook, cell),
                "markdown" => Render(session, cell, MimeBundle.Markdown),
                "html" => Render(session, cell, MimeBundle.Html),
                _ => new CellError("UnsupportedLanguage",
                    $"Cell {cell.Number} is written in '{language}', but this course's engine runs C# only. Change the cell's language to C# or make it a Markdown cell.",
                    null, []),
            };
            if (error is not null && language != "csharp")
                new CellOutputs(cell, session.ExecutionCount, options.MaxOutputPerCell).Error(error);
            Timing(cell, started, clock.Elapsed);
            var run = new CellRun(cell.Number, language, clock.Elapsed.TotalSeconds, error);
            runs.Add(run);
            verdicts.AddRange(ExerciseOutput.Read(cell.Outputs).Select(v => new CellVerdict(cell.Id, v)));
            CellFinished?.Invoke(notebook, run);
            if (error is not null)
            {
                firstFailure ??= $"{notebook.Name}, cell {cell.Number}{(error.Line is { } line ? $", line {line}" : "")}: {error.Name}: {error.Message}";
                if (!options.ContinueAfterErrors) return new NotebookRun(notebook, runs, firstFailure) { Verdicts = verdicts };
            }
        }
        string? failure = firstFailure;
        if (failure is null && options.Solutions && verdicts.FirstOrDefault(v => v.Verdict.Verdict != Verdict.Correct) is { } unsolved)
            failure = $"{notebook.Name}: with the reference solutions, {unsolved.Verdict.Exercise} should be correct, but the check says: {unsolved.Verdict}";
        return new NotebookRun(notebook, runs, failure) { Verdicts = verdicts };
    }

    async Task<CellError?> ExecuteCSharp(CSharpSession session, Notebook notebook, Cell cell)
    {
        var outputs = new CellOutputs(cell, session.ExecutionCount + 1, options.MaxOutputPerCell);
        using var watchdog = Watch(notebook, cell, outputs);
        var outcome = await session.ExecuteAsync(cell.Source, outputs);
        cell.Json["execution_count"] = outcome.ExecutionCount;
        var error = outcome.Error;
        if (error is not null && outcome.Interrupted && watchdog is not null)
            error = TimeoutError(cell);
        if (error is not null) outputs.Error(error);
        return error;
    }

    CellError TimeoutError(Cell cell) => new("CellTimeout",
        $"Cell {cell.Number} ran longer than {options.CellTimeout!.Value.TotalSeconds:0} s and was stopped. Allow more with --cell-timeout, or use --quick for smaller settings.",
        null, []);

    /// <summary>Interrupts the cell at its timeout; if it ignores that, hands it to <see cref="OnStuck"/>.</summary>
    Timer? Watch(Notebook notebook, Cell cell, CellOutputs outputs)
    {
        if (options.CellTimeout is not { } timeout) return null;
        Timer? grace = null;
        return new Timer(_ =>
        {
            Interrupt.Request();
            grace = new Timer(_ =>
            {
                outputs.Error(TimeoutError(cell) with { Message = TimeoutError(cell).Message + " It did not stop when interrupted, so the notebook's process was ended." });
                OnStuck?.Invoke(notebook, cell, TimeoutError(cell).Message);
            }, null, options.InterruptGrace, Timeout.InfiniteTimeSpan);
        }, null, timeout, Timeout.InfiniteTimeSpan);
    }

    static CellError? Render(CSharpSession session, Cell cell, string mimeType)
    {
        var text = string.Join('\n', cell.Source.Split('\n').SkipWhile(l => l.TrimStart().StartsWith("#!", StringComparison.Ordinal)));
        new CellOutputs(cell, session.ExecutionCount, long.MaxValue).Display(new MimeBundle(text).With(mimeType, text), "rendered");
        return null;
    }

    void InjectParameters(Notebook notebook)
    {
        var parametersCell = notebook.Cells.FirstOrDefault(c => c.Type == CellType.Code && c.Tags.Contains(Parameters.Tag));
        var declared = parametersCell is null ? [] : Parameters.Read(parametersCell.Source);
        string? code = Parameters.Injection(declared, options.Parameters, options.Quick);
        if (code is null) return;
        var injected = new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["metadata"] = new JsonObject
            {
                ["tags"] = new JsonArray(Parameters.InjectedTag),
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            },
            ["outputs"] = new JsonArray(),
            ["source"] = Cell.SplitLines(code),
        };
        // The injected cell reports the parameters cell's number: messages keep matching the file the learner has.
        var cell = new Cell(injected, parametersCell!.Index);
        notebook.Cells.Insert(notebook.Cells.IndexOf(parametersCell) + 1, cell);
    }

    static void Timing(Cell cell, DateTimeOffset started, TimeSpan elapsed)
    {
        // nbclient's record_timing keys, so tools that read Jupyter timings read ours.
        cell.Metadata["execution"] = new JsonObject
        {
            ["iopub.execute_input"] = started.ToString("O", CultureInfo.InvariantCulture),
            ["shell.execute_reply"] = (started + elapsed).ToString("O", CultureInfo.InvariantCulture),
        };
    }
}
