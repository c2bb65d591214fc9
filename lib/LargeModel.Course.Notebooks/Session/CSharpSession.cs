using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using LargeModel.Course.Notebooks.Display;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace LargeModel.Course.Notebooks.Session;

/// <summary>
/// A C# notebook session on Roslyn scripting: each cell continues the previous one, so variables, types and
/// <c>using</c>s carry over. A cell that fails to compile or throws leaves the session as it was before
/// (plus whatever the failing cell assigned before it threw). The headless runner and the Jupyter kernel
/// both drive it: one cell at a time, outputs delivered to the <see cref="IOutputSink"/> given per cell.
/// </summary>
public sealed class CSharpSession
{
    static readonly string[] DefaultImports = ["System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Text", "System.Threading", "System.Threading.Tasks"];

    static readonly string[] FrameworkAssemblies =
    [
        "System.Runtime", "System.Private.CoreLib", "netstandard", "System.Collections", "System.Linq", "System.Console",
        "System.Text.RegularExpressions", "System.Text.Json", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
        "System.Diagnostics.Process", "System.Runtime.Numerics", "System.ObjectModel", "System.ComponentModel.Primitives",
        "System.Memory", "System.Globalization", "System.IO.Compression", "System.Collections.Concurrent", "System.Diagnostics.StackTrace",
    ];

    static readonly string[] CarriedAssemblies = ["LargeModel.Course", "TorchSharp", "Plotly.NET", "Plotly.NET.CSharp", "FSharp.Core", "MathNet.Numerics"];

    readonly NotebookGlobals globals;
    readonly PackageReferences packages;
    readonly List<string> addedReferences = [];

    // One compilation at a time. Every first-submission script compilation gets its own corlib reference from
    // Roslyn's scripting layer, while the session's other references (TorchSharp, System.Runtime, ...) are shared
    // objects whose assembly symbols Roslyn caches and reuses across compilations. Two compilations binding those
    // references at the same moment (the kernel's warm-up and the first cell) could leave a cell seeing TorchSharp
    // through the other compilation's corlib: `double[]` then no longer converts to TorchSharp's `double[]`
    // (CS1503, CS0457), and every later cell inherits the broken binding.
    readonly SemaphoreSlim compiler = new(1, 1);
    Task? warmUp;
    ScriptOptions options;
    ScriptState<object>? state;
    IOutputSink? sink;
    int displays;

    public CSharpSession(string? baseDirectory = null)
    {
        BaseDirectory = Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory());
        globals = new NotebookGlobals(this);
        packages = new PackageReferences(message => sink?.Stream("stderr", message + "\n"));
        options = ScriptOptions.Default
            .WithReferences(DefaultReferences())
            .WithImports(DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(BaseDirectory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(BaseDirectory))
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true) // line numbers in runtime errors
            .WithAllowUnsafe(false);
        ConsoleCapture.Install();
        LiveDisplay.Host = value =>
        {
            var handle = Show(value);
            return handle.Update;
        };
    }

    /// <summary>Where <c>#r</c> and <c>#load</c> resolve relative paths: the notebook's folder.</summary>
    public string BaseDirectory { get; }

    /// <summary>
    /// Whether reference solutions run. Solution cells wrap their code in <c>#if SOLUTIONS</c>, so in a learner's
    /// session (and in any other C# host) they are inert and cannot replace the learner's answer; with this on the
    /// engine defines the symbol for those cells. <c>course run --solutions</c> and the kernel with
    /// <c>COURSE_SOLUTIONS=1</c> set it.
    /// </summary>
    public bool Solutions { get; init; }

    /// <summary>The environment variable that switches solutions on in the kernel (for instructors and tests).</summary>
    public const string SolutionsVariable = "COURSE_SOLUTIONS";

    /// <summary>Whether <see cref="SolutionsVariable"/> asks for solutions: 1, true or yes.</summary>
    public static bool SolutionsRequestedByEnvironment() =>
        Environment.GetEnvironmentVariable(SolutionsVariable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes";

    /// <summary>How many cells this session has executed (the Jupyter <c>execution_count</c>).</summary>
    public int ExecutionCount { get; private set; }

    public Formatters Formatters { get; } = new();

    /// <summary>The session's script state, for completion and inspection (null before the first cell).</summary>
    public ScriptState<object>? State => state;

    public ScriptOptions Options => options;

    /// <summary>
    /// Compiles a throwaway cell in the background so that the first real cell does not pay for loading the compiler
    /// and reading the references. It holds the compiler gate, and a cell executed after this call waits for the
    /// warm-up to finish even when the thread pool has not started it yet.
    /// </summary>
    public Task WarmUp() => warmUp ??= Task.Run(async () =>
    {
        await compiler.WaitAsync();
        try
        {
            CSharpScript.Create("1 + 1", options, typeof(NotebookGlobals)).Compile();
        }
        finally
        {
            compiler.Release();
        }
    });

    /// <summary>Runs <paramref name="work"/> (completion, inspection) while no cell or warm-up is compiling.</summary>
    internal T WithCompiler<T>(Func<T> work)
    {
        compiler.Wait();
        try
        {
            return work();
        }
        finally
        {
            compiler.Release();
        }
    }

    /// <summary>Runs one cell. Never throws for the cell's own errors: they come back in <see cref="CellOutcome.Error"/>.</summary>
    public async Task<CellOutcome> ExecuteAsync(string code, IOutputSink output, bool countExecution = true)
    {
        int count = countExecution ? ++ExecutionCount : ExecutionCount;
        string cellPath = $"cell-{count}.csx";
        var clock = Stopwatch.StartNew();
        sink = output;
        Interrupt.Reset();
        using var routing = ConsoleCapture.Route(output);
        try
        {
            var references = new List<string>();
            string resolved = packages.Resolve(code, references);
            if (references.Count > 0)
            {
                addedReferences.AddRange(references.Except(addedReferences));
                options = options.AddReferences(references.Select(r => MetadataReference.CreateFromFile(r)));
            }

            // Code goes in as a UTF-8 stream: Roslyn emits debug information (line numbers in runtime errors)
            // only for source text whose encoding it knows.
            // `#define` must precede the cell's first token; `#line 1` keeps the learner's line numbers.
            if (Solutions && resolved.Contains("SOLUTIONS", StringComparison.Ordinal))
                resolved = "#define SOLUTIONS\n#line 1\n" + resolved;
            var cellOptions = options.WithFilePath(cellPath);
            using var source = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(resolved));
            var script = state is null
                ? CSharpScript.Create(source, cellOptions, typeof(NotebookGlobals))
                : state.Script.ContinueWith(source, cellOptions);
            // A cell that arrives while the warm-up is still queued (Task.Run may not have started it on a busy
            // machine) waits for it too, so cells and the warm-up compile in the order they were asked for.
            if (warmUp is { IsCompleted: false } pending)
                await pending.ContinueWith(static _ => { }, TaskScheduler.Default);
            // Compiled under the gate, run outside it: a long-running cell must not hold up completion.
            await compiler.WaitAsync();
            ImmutableArray<Diagnostic> diagnostics;
            try
            {
                diagnostics = script.Compile();
            }
            finally
            {
                compiler.Release();
            }
            if (diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
                return new CellOutcome(count, CompilationError(diagnostics), clock.Elapsed);
            state = state is null
                ? await script.RunAsync(globals, catchException: _ => true)
                : await script.RunFromAsync(state, catchException: _ => true);

            if (state.Exception is { } exception)
                return new CellOutcome(count, RuntimeError(exception, cellPath), clock.Elapsed, Interrupt.Requested);
            if (state.ReturnValue is { } value && !IsVoidTask(value))
                output.Result(Formatters.Format(value));
            return new CellOutcome(count, null, clock.Elapsed);
        }
        catch (CompilationErrorException e)
        {
            return new CellOutcome(count, CompilationError(e.Diagnostics), clock.Elapsed);
        }
        catch (PackageRestoreException e)
        {
            return new CellOutcome(count, new CellError(nameof(PackageRestoreException), e.Message, null, []), clock.Elapsed);
        }
        finally
        {
            sink = null;
        }
    }

    internal DisplayHandle Show(object? value)
    {
        string id = $"display-{Guid.NewGuid():N}"[..20] + $"-{++displays}";
        (sink ?? throw NoCell()).Display(Formatters.Format(value), id);
        return new DisplayHandle(this, id);
    }

    internal void Update(string id, object? value) => (sink ?? throw NoCell()).UpdateDisplay(Formatters.Format(value), id);

    static InvalidOperationException NoCell() => new("display() was called while no cell is running (for example from a background task that outlived its cell).");

    static bool IsVoidTask(object value) => value is Task task && task.GetType() == typeof(Task);

    static CellError CompilationError(ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var first = errors.Count > 0 ? errors[0] : diagnostics[0];
        int? line = first.Location.IsInSource ? first.Location.GetLineSpan().StartLinePosition.Line + 1 : null;
        var traceback = errors.Select(d => d.Location.IsInSource
            ? $"line {d.Location.GetLineSpan().StartLinePosition.Line + 1}, column {d.Location.GetLineSpan().StartLinePosition.Character + 1}: {d.Id}: {d.GetMessage()}"
            : $"{d.Id}: {d.GetMessage()}").ToList();
        return new CellError("CompilationError", $"{first.Id}: {first.GetMessage()}", line, traceback);
    }

    static CellError RuntimeError(Exception exception, string cellPath)
    {
        while (exception is AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException && exception.InnerException is not null)
            exception = exception.InnerException!;

        // The line is that of the deepest frame inside this cell; frames in the engine are noise to a learner.
        var frames = new StackTrace(exception, fNeedFileInfo: true).GetFrames();
        // Roslyn reports the cell's path made absolute against the base directory.
        var cellFrame = frames.FirstOrDefault(f => f.GetFileName() is { } file && Path.GetFileName(file) == cellPath);
        int? line = cellFrame?.GetFileLineNumber() is > 0 and var l ? l : null;
        var traceback = (exception.StackTrace ?? "").Split('\n')
            .Select(s => s.TrimEnd())
            .Where(s => s.Length > 0 && !s.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal) && !s.Contains("Submission#0.<<Initialize>>", StringComparison.Ordinal))
            .Select(s => System.Text.RegularExpressions.Regex.Replace(s, @" in \S*" + System.Text.RegularExpressions.Regex.Escape(cellPath) + ":line", " in cell, line"))
            .ToList();
        string name = exception is OperationCanceledException && Interrupt.Requested ? "Interrupted" : exception.GetType().Name;
        string message = name == "Interrupted" ? "The cell was interrupted; the session and its variables are kept." : exception.Message;
        return new CellError(name, message, line, traceback);
    }

    static IEnumerable<MetadataReference> DefaultReferences()
    {
        var assemblies = new List<Assembly> { typeof(object).Assembly, typeof(Enumerable).Assembly, typeof(CSharpSession).Assembly };
        foreach (var name in FrameworkAssemblies.Concat(CarriedAssemblies))
        {
            try
            {
                assemblies.Add(Assembly.Load(name));
            }
            catch (FileNotFoundException)
            {
                // Not carried by this build (e.g. a package the course has not used yet): cells can #r it.
            }
        }
        return assemblies.Distinct().Where(a => a.Location != "").Select(a => MetadataReference.CreateFromFile(a.Location));
    }
}
