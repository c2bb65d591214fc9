using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LargeModel.Course.Notebooks.Running;

namespace LargeModel.Course.Cli;

/// <summary><c>course run</c>: executes notebooks headless, each in its own process, like "Run All".</summary>
static class RunCommand
{
    public const string DefaultOutput = "artifacts/notebooks";

    static readonly Option<string> Out = new("--out") { Description = "Folder for the executed notebooks (and HTML pages).", DefaultValueFactory = _ => DefaultOutput };
    static readonly Option<string[]> Param = new("--param", "-p") { Description = "Override a parameter of the notebook's parameters cell: name=value (repeatable).", AllowMultipleArgumentsPerToken = false };
    static readonly Option<bool> Quick = new("--quick") { Description = "Use the notebooks' quick settings (`// quick:` values), so the course runs in minutes." };
    static readonly Option<double> CellTimeout = new("--cell-timeout") { Description = "Seconds a cell may run before it is stopped (0: no limit).", DefaultValueFactory = _ => 900 };
    static readonly Option<bool> Html = new("--html") { Description = "Also export a static HTML page per notebook, readable offline." };
    static readonly Option<string[]> SkipTag = new("--skip-tag") { Description = "Do not run cells with this tag, e.g. `solution` to see the exercises as a learner does (repeatable)." };
    static readonly Option<bool> Solutions = new("--solutions") { Description = "Run the exercises' reference solutions too (for instructors and tests); every exercise must then be correct." };
    static readonly Option<bool> ContinueAfterErrors = new("--continue-after-errors") { Description = "Go on after a failing cell, as Jupyter's allow-errors does (the run still reports the first failure)." };
    static readonly Option<bool> InPlace = new("--in-place") { Description = "Replace each source notebook with its executed version (written atomically)." };

    public static Command Create()
    {
        var paths = new Argument<string[]>("notebooks") { Description = "Notebooks (.ipynb) or folders of notebooks.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("run", "Execute notebooks headless and write executed copies (and HTML pages).")
        {
            paths, Out, Param, Quick, CellTimeout, SkipTag, Html, InPlace, Solutions, ContinueAfterErrors,
        };
        command.SetAction(result =>
        {
            var notebooks = RunRequest.FindNotebooks(result.GetValue(paths)!);
            if (notebooks.Count == 0)
            {
                Console.Error.WriteLine("course run: no notebooks found there.");
                return 2;
            }
            var runner = new IsolatedRunner(ChildProcess, Console.Out);
            var summaries = runner.Run(notebooks, Request(result));
            return summaries.All(s => s.Succeeded) ? 0 : 1;
        });
        return command;
    }

    /// <summary>The hidden child command each notebook runs in (see <see cref="IsolatedRunner"/>).</summary>
    public static Command CreateChild()
    {
        var path = new Argument<string>("notebook");
        var command = new Command("run-notebook", "Run one notebook in this process (used by `course run`).")
        {
            path, Out, Param, Quick, CellTimeout, SkipTag, Html, InPlace, Solutions, ContinueAfterErrors,
        };
        command.Hidden = true;
        command.SetAction(result => NotebookProcess.RunAsync(result.GetValue(path)!, Request(result)).GetAwaiter().GetResult());
        return command;
    }

    static RunRequest Request(ParseResult result)
    {
        var parameters = new Dictionary<string, string>();
        foreach (var pair in result.GetValue(Param) ?? [])
        {
            int equals = pair.IndexOf('=');
            if (equals <= 0)
                throw new ArgumentException($"--param {pair}: write it as name=value, e.g. --param steps=100.");
            parameters[pair[..equals].Trim()] = pair[(equals + 1)..];
        }
        double timeout = result.GetValue(CellTimeout);
        return new RunRequest
        {
            OutputFolder = result.GetValue(Out)!,
            Html = result.GetValue(Html),
            InPlace = result.GetValue(InPlace),
            Options = new RunOptions
            {
                Parameters = parameters,
                Quick = result.GetValue(Quick),
                CellTimeout = timeout > 0 ? TimeSpan.FromSeconds(timeout) : null,
                SkipTags = (result.GetValue(SkipTag) ?? []).ToHashSet(),
                Solutions = result.GetValue(Solutions),
                ContinueAfterErrors = result.GetValue(ContinueAfterErrors),
            },
        };
    }

    /// <summary>Starts this same CLI again, whether it runs as an app host (`course`) or as `dotnet course.dll`.</summary>
    internal static ProcessStartInfo ChildProcess(IEnumerable<string> arguments)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(RunCommand).Assembly.Location);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = CultureInfo.CurrentUICulture.Name;
        return start;
    }
}
