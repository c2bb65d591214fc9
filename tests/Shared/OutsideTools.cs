namespace LargeModel.Course.TestSupport;

/// <summary>
/// The one rule for tests that need a tool from outside .NET (npm, Debian's Jupyter client, Chromium): on a
/// learner's machine without the tool they skip and say how to install it; in CI (<c>CI=true</c>) they must run,
/// so a missing tool fails them. Compiled into both test projects.
/// </summary>
static class OutsideTools
{
    public static bool InCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of a program on the PATH, or null.</summary>
    public static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => OperatingSystem.IsWindows() ? [Path.Combine(dir, name + ".exe"), Path.Combine(dir, name)] : new[] { Path.Combine(dir, name) })
            .FirstOrDefault(File.Exists);
}
