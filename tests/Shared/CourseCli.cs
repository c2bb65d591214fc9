using System.Diagnostics;

namespace LargeModel.Course.TestSupport;

/// <summary>
/// Runs the real <c>course</c> command, the build beside the tests, as a learner runs it, and returns its exit code
/// and what it printed. Compiled into both test projects.
/// </summary>
static class CourseCli
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    public static (int Code, string Output, string Error) Run(params string[] arguments) =>
        Run(new Dictionary<string, string?>(), arguments);

    /// <param name="environment">Variables to set for this run; a null value removes the variable.</param>
    /// <param name="arguments">The command line after <c>course</c>.</param>
    public static (int Code, string Output, string Error) Run(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "course.dll"));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"course {string.Join(' ', arguments)} did not finish in {Timeout.TotalMinutes:0} minutes.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
