using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>A kernelspec found in a kernels folder.</summary>
public sealed record InstalledKernel(string Name, string Directory, string DisplayName, bool Ours);

/// <summary>
/// The kernelspec that makes Jupyter and VS Code start this kernel for the course notebooks: a folder named
/// <c>.net-csharp</c> (the name the notebooks ask for) holding <c>kernel.json</c>, in the user's Jupyter data
/// folder. Writing it needs no Python. A kernelspec of the same name that is not ours (the deprecated .NET
/// Interactive kernel) is only replaced when asked.
/// </summary>
public static class KernelSpec
{
    public const string Name = ".net-csharp", DisplayName = ".NET (C#)", Language = "C#";
    const string Marker = "largemodel.course";

    /// <summary>The user's Jupyter data folder: <c>JUPYTER_DATA_DIR</c>, else the per-platform default jupyter_core uses.</summary>
    public static string UserDataDirectory()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } dataDir) return Path.GetFullPath(dataDir);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
        if (OperatingSystem.IsMacOS())
            return Path.Combine(home, "Library", "Jupyter");
        string xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } x ? x : Path.Combine(home, ".local", "share");
        return Path.Combine(xdg, "jupyter");
    }

    /// <summary>Where kernelspecs go: <c>&lt;prefix&gt;/share/jupyter/kernels</c> with a prefix, else the user's data folder.</summary>
    public static string KernelsDirectory(string? prefix = null) =>
        prefix is { Length: > 0 } ? Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels") : Path.Combine(UserDataDirectory(), "kernels");

    /// <summary>
    /// The command that starts this build's <c>course</c>: the native launcher next to <c>course.dll</c> when there is one,
    /// else <c>dotnet course.dll</c>.
    /// </summary>
    public static IReadOnlyList<string> CourseCommand(string? folder = null)
    {
        folder ??= AppContext.BaseDirectory;
        string launcher = Path.Combine(folder, OperatingSystem.IsWindows() ? "course.exe" : "course");
        if (File.Exists(launcher)) return [Path.GetFullPath(launcher)];
        string dll = Path.GetFullPath(Path.Combine(folder, "course.dll"));
        if (!File.Exists(dll)) throw new FileNotFoundException($"course.dll was not found in {folder}; build the course first (dotnet build).");
        return [DotnetPath(), dll];
    }

    static string DotnetPath()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet") return process;
        return "dotnet";
    }

    /// <summary>The folder the running .NET lives in, so the kernel finds it even when Jupyter's PATH lacks dotnet.</summary>
    static string DotnetRoot() => Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    public static JsonObject KernelJson(IReadOnlyList<string> command, int? threads)
    {
        var env = new JsonObject { ["DOTNET_ROOT"] = DotnetRoot(), ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
        // The torch thread count: given, or from COURSE_THREADS at install time; else the library's default (physical cores).
        int? chosen = threads ?? (int.TryParse(Environment.GetEnvironmentVariable("COURSE_THREADS"), out int t) ? t : null);
        if (chosen is { } n) env["COURSE_THREADS"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["argv"] = new JsonArray([.. command.Select(c => (JsonNode?)JsonValue.Create(c)), "kernel", "start", "{connection_file}"]),
            ["display_name"] = DisplayName,
            ["language"] = Language,
            ["interrupt_mode"] = "message",
            ["env"] = env,
            ["metadata"] = new JsonObject { [Marker] = true, ["debugger"] = false },
        };
    }

    /// <summary>Writes the kernelspec; refuses to replace someone else's of the same name unless <paramref name="force"/>.</summary>
    public static string Install(string kernelsDirectory, IReadOnlyList<string> command, int? threads = null, bool force = false)
    {
        string folder = Path.Combine(kernelsDirectory, Name);
        if (Read(folder) is { Ours: false } existing && !force)
            throw new InvalidOperationException(
                $"{folder} already holds another kernel named {Name} (\"{existing.DisplayName}\", probably .NET Interactive). " +
                "It was left as it is; run the install again with --force to replace it with the course's kernel.");
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "kernel.json"), KernelJson(command, threads).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return folder;
    }

    /// <summary>Removes the course's kernelspec; someone else's only with <paramref name="force"/>. False when there was none.</summary>
    public static bool Uninstall(string kernelsDirectory, bool force = false)
    {
        string folder = Path.Combine(kernelsDirectory, Name);
        var existing = Read(folder);
        if (existing is null) return false;
        if (!existing.Ours && !force)
            throw new InvalidOperationException($"{folder} is not the course's kernel (\"{existing.DisplayName}\"); it was left alone. Use --force to remove it anyway.");
        Directory.Delete(folder, recursive: true);
        return true;
    }

    /// <summary>The kernelspecs in the folders Jupyter searches first (the given one, then the system ones).</summary>
    public static IReadOnlyList<InstalledKernel> List(string kernelsDirectory)
    {
        var folders = new List<string> { kernelsDirectory };
        if (!OperatingSystem.IsWindows()) folders.AddRange(["/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels"]);
        else folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "jupyter", "kernels"));
        return folders.Distinct().Where(Directory.Exists)
            .SelectMany(Directory.GetDirectories)
            .Select(Read).OfType<InstalledKernel>().ToList();
    }

    static InstalledKernel? Read(string folder)
    {
        string file = Path.Combine(folder, "kernel.json");
        if (!File.Exists(file)) return null;
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(file));
            return new InstalledKernel(Path.GetFileName(folder), folder, json?["display_name"]?.GetValue<string>() ?? "?",
                json?["metadata"]?[Marker]?.GetValue<bool>() == true);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return new InstalledKernel(Path.GetFileName(folder), folder, "(unreadable kernel.json)", false);
        }
    }
}
