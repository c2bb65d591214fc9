using System.Diagnostics;
using System.Text;
using LargeModel.Course.TestSupport;

namespace LargeModel.Course.Notebooks.Tests.Kernel;

/// <summary>Runs the real <c>course</c> command (this build's) and finds files in the repository.</summary>
static class Course
{
    public static string RepositoryRoot => Repository.Root;

    public static string KernelTests => Path.Combine(RepositoryRoot, "tests", "LargeModel.Course.Notebooks.Tests", "Kernel");

    /// <summary>Runs <c>course ARGS</c> with these environment variables; the output is stdout then stderr.</summary>
    public static (int ExitCode, string Output) Run(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var (code, output, error) = CourseCli.Run(environment.ToDictionary(p => p.Key, p => (string?)p.Value), arguments);
        return (code, output + error);
    }

    /// <summary>Runs a program to the end (or kills it at the timeout) and returns its exit code and merged output.</summary>
    public static (int ExitCode, string Output) Program(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) return (-1, $"timed out after {timeout.TotalSeconds:0} s\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }
}
