using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace LargeModel.Course.Notebooks.Session;

/// <summary>
/// <c>#r "nuget: Name, Version"</c> in a cell. The packages the course itself uses (TorchSharp, Plotly.NET,
/// the course library...) resolve to the copies the engine already carries, so they load instantly, offline,
/// and at the versions the library was tested with. Any other package is restored once into the course cache
/// with the .NET SDK; offline, that is a clear error.
/// </summary>
sealed partial class PackageReferences
{
    [GeneratedRegex(@"^[ \t]*#r[ \t]+""nuget:[ \t]*(?<name>[^,""\s]+)[ \t]*(,[ \t]*(?<version>[^""\s]+))?[ \t]*""[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex NugetDirective();

    [GeneratedRegex(@"^[ \t]*(#i[ \t]+""[^""]*""|#!(csharp|c#|cs))[ \t]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex PolyglotOnlyDirective();

    /// <summary>Package names (and their aliases) the engine carries, mapped to assembly file names.</summary>
    static readonly Dictionary<string, string[]> Carried = new(StringComparer.OrdinalIgnoreCase)
    {
        ["LargeModel.Course"] = ["LargeModel.Course"],
        ["TorchSharp"] = ["TorchSharp"],
        ["TorchSharp-cpu"] = ["TorchSharp"],
        ["TorchSharp-cuda-linux"] = ["TorchSharp"],
        ["TorchSharp-cuda-windows"] = ["TorchSharp"],
        ["libtorch-cpu"] = [],
        ["libtorch-cpu-linux-x64"] = [],
        ["Plotly.NET"] = ["Plotly.NET", "FSharp.Core"],
        ["Plotly.NET.Interactive"] = ["Plotly.NET", "FSharp.Core"], // its display role is built into this engine
        ["Plotly.NET.CSharp"] = ["Plotly.NET.CSharp", "Plotly.NET", "FSharp.Core"],
        ["MathNet.Numerics"] = ["MathNet.Numerics"],
        ["SharpToken"] = ["SharpToken"],
    };

    readonly Action<string> note;

    public PackageReferences(Action<string> note) => this.note = note;

    /// <summary>
    /// Resolves the cell's package directives to assembly paths and blanks those lines (keeping line numbers,
    /// so errors still point at the right line of the cell).
    /// </summary>
    public string Resolve(string code, List<string> references)
    {
        code = PolyglotOnlyDirective().Replace(code, "");
        return NugetDirective().Replace(code, match =>
        {
            string name = match.Groups["name"].Value;
            string? version = match.Groups["version"].Success ? match.Groups["version"].Value : null;
            references.AddRange(PathsFor(name, version));
            return "";
        });
    }

    IEnumerable<string> PathsFor(string name, string? version)
    {
        if (name.StartsWith("Microsoft.DotNet.Interactive", StringComparison.OrdinalIgnoreCase))
        {
            note($"{name} is not needed: this course's engine replaces .NET Interactive (display() and charts are built in). You can delete this line.");
            return [];
        }
        if (Carried.TryGetValue(name, out var files))
        {
            var paths = files.Select(CarriedAssembly).ToList();
            if (paths.All(p => p is not null))
            {
                var carriedVersion = files.Length == 0 ? null : Version(paths[0]!);
                if (version is not null && carriedVersion is not null && !version.StartsWith(carriedVersion, StringComparison.Ordinal) && !version.Contains('*'))
                    note($"Using {name} {carriedVersion}, which the course engine carries, instead of {version}.");
                return paths!;
            }
        }
        return Restore(name, version);
    }

    static string? CarriedAssembly(string file)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => !a.IsDynamic && a.GetName().Name == file && a.Location != "");
        if (loaded is not null) return loaded.Location;
        var beside = Path.Combine(AppContext.BaseDirectory, file + ".dll");
        return File.Exists(beside) ? beside : null;
    }

    static string? Version(string path)
    {
        try
        {
            var info = FileVersionInfo.GetVersionInfo(path);
            return (info.ProductVersion ?? AssemblyName.GetAssemblyName(path).Version?.ToString())?.Split('+')[0];
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    /// <summary>Restores a package (and its dependencies) with the SDK into the course cache, once.</summary>
    static List<string> Restore(string name, string? version)
    {
        string folder = Path.Combine(CourseCache.Folder("nuget"), $"{name}.{version ?? "latest"}".ToLowerInvariant().Replace('*', 'x'));
        string output = Path.Combine(folder, "out");
        string done = Path.Combine(folder, "restored.txt");
        if (File.Exists(done))
            return File.ReadAllLines(done).Where(File.Exists).ToList();

        Directory.CreateDirectory(folder);
        // Empty Directory.*.props stop MSBuild from inheriting settings of whatever folder the cache sits in.
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "restore.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                <CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{name}" Version="{version ?? "*"}" />
              </ItemGroup>
            </Project>
            """);

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "build", "restore.csproj", "-c", "Release", "-o", output, "--nologo", "-v", "q" }) start.ArgumentList.Add(a);
        string log;
        int exitCode;
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new PackageRestoreException($"Restoring NuGet package {name} took more than 5 minutes and was stopped. Check your network, then run the cell again.");
            }
            log = stdout.Result + stderr.Result;
            exitCode = process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new PackageRestoreException($"NuGet package {name} is not one the course carries, and restoring it needs the .NET SDK (`dotnet`), which was not found.");
        }
        if (exitCode != 0)
        {
            var reason = log.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? log.Trim();
            reason = Regex.Replace(reason, @"\s*\[[^\]]*restore\.csproj\]", "");
            throw new PackageRestoreException(
                $"Could not restore NuGet package {name}{(version is null ? "" : $" {version}")}: {reason} " +
                "Check the name and version; if you are offline, connect once to restore it (it is cached afterwards).");
        }
        var assemblies = Directory.GetFiles(output, "*.dll").Where(p => Path.GetFileName(p) != "restore.dll").ToList();
        File.WriteAllLines(done, assemblies);
        return assemblies;
    }
}

/// <summary>A <c>#r "nuget: ..."</c> that could not be satisfied; the message says why and what to do.</summary>
public sealed class PackageRestoreException(string message) : Exception(message);
