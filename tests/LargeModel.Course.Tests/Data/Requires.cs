using System.ComponentModel;
using System.Diagnostics;
using LargeModel.Course.TestSupport;

namespace LargeModel.Course.Tests.Data;

/// <summary>
/// A test that needs the npm client and its registry. Where npm is missing it is skipped on a learner's machine,
/// but in CI (CI=true) it runs and fails: CI must prove the fetch path, not quietly skip it.
/// </summary>
public sealed class NpmFactAttribute : FactAttribute
{
    public NpmFactAttribute()
    {
        if (!Requires.NpmAvailable && !OutsideTools.InCI)
            Skip = "npm was not found on the PATH (install Node.js to run the corpus fetch tests; in CI they must run).";
    }
}

static class Requires
{
    static readonly Lazy<bool> npm = new(() =>
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm", "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            // A broken npm (a registry prompt, a hung update check) must not hang the test run: 30 s, then "absent".
            var output = process!.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0 && output.Result.Length > 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    });

    public static bool NpmAvailable => npm.Value;

    /// <summary>A fresh folder under the system temp folder, for one test's cache.</summary>
    public static string TemporaryFolder(string purpose)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"course-tests-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A path where no npm exists, to play a machine without Node.js.</summary>
    public static string MissingNpm => Path.Combine(Path.GetTempPath(), $"no-npm-here-{Guid.NewGuid():N}", "npm");
}
