using System.Diagnostics;
using LargeModel.Course.TestSupport;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>
/// Tests that need a tool from outside .NET (Debian's Jupyter client, Chromium): on a learner's machine without
/// it they are skipped, with the reason and the install command; in CI (<c>CI=true</c>) they must run, so a
/// missing tool fails them. Use with <c>[SkippableFact]</c>.
/// </summary>
public static class Requires
{
    public static bool InCI => OutsideTools.InCI;

    /// <summary>Skips (locally) or fails (in CI) unless <paramref name="available"/>.</summary>
    public static void Tool(bool available, string what, string install)
    {
        if (available) return;
        if (InCI) throw new InvalidOperationException($"CI needs {what}, which is missing: {install}.");
        Skip.If(true, $"{what} is not installed ({install}).");
    }

    /// <summary>The full path of <paramref name="name"/>: the first candidate that exists, else the PATH; skips or fails when absent.</summary>
    public static string Program(string name, string install, params string[] candidates)
    {
        string? found = candidates.FirstOrDefault(File.Exists) ?? OnPath(name);
        Tool(found is not null, name, install);
        return found!;
    }

    /// <summary>A Python 3 that can import <paramref name="modules"/> (Debian's first: the Jupyter packages install there).</summary>
    public static string Python(string install, params string[] modules)
    {
        var pythons = new[] { "/usr/bin/python3", OnPath("python3") }.OfType<string>().Where(File.Exists).Distinct();
        string? found = pythons.FirstOrDefault(python => Succeeds(python, "-c", "import " + string.Join(", ", modules)));
        Tool(found is not null, $"python3 with {string.Join(", ", modules)}", install);
        return found!;
    }

    public static string? OnPath(string name) => OutsideTools.OnPath(name);

    static bool Succeeds(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(30_000) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
