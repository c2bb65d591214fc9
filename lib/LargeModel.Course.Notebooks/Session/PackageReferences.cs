using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NuGet.Versioning;

namespace LargeModel.Course.Notebooks.Session;

/// <summary>
/// <c>#r "nuget: Name, Version"</c> in a cell. The packages the course itself uses (TorchSharp, Plotly.NET,
/// the course library...) resolve to the copies the engine already carries, so they load instantly, offline,
/// and at the versions the library was tested with. Any other package is restored once into the course cache
/// with the .NET SDK; offline, that is a clear error. The id and version are checked by NuGet's rules before
/// they reach a path or a project file, so a directive cannot write outside the cache or inject MSBuild.
/// </summary>
sealed partial class PackageReferences
{
    // Everything between the quotes, so that a bad name is reported rather than passed on to Roslyn.
    [GeneratedRegex(@"^[ \t]*#r[ \t]+""nuget:(?<spec>[^\r\n]*)""[ \t]*\r?$", RegexOptions.Multiline)]
    private static partial Regex NugetDirective();

    // NuGet's own rule for package ids (NuGet.Packaging's PackageIdValidator): word characters in runs joined by
    // single '.', '-' or '_', at most 100 characters. No '/', '\\', quote, space or '<' can pass.
    [GeneratedRegex(@"^\w+([_.-]\w+)*$")]
    private static partial Regex PackageId();

    const int MaxIdLength = 100;

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
            var (name, version) = Parse(match.Groups["spec"].Value);
            references.AddRange(PathsFor(name, version));
            return "";
        });
    }

    /// <summary>
    /// Splits <c>Name, Version</c> and checks both by NuGet's rules; throws <see cref="PackageRestoreException"/>
    /// saying what is wrong. The version may be exact (<c>1.2.3</c>), floating (<c>1.*</c>) or a range (<c>[1.0,2.0)</c>).
    /// </summary>
    internal static (string Name, VersionRange? Version) Parse(string spec)
    {
        int comma = spec.IndexOf(',');
        string name = (comma < 0 ? spec : spec[..comma]).Trim();
        string? version = comma < 0 ? null : spec[(comma + 1)..].Trim();
        string directive = $"#r \"nuget:{spec}\"";
        if (name.Length == 0)
            throw new PackageRestoreException($"{directive} names no package. Write it as #r \"nuget: Name, Version\", e.g. #r \"nuget: MathNet.Numerics, 5.0.0\".");
        if (name.Length > MaxIdLength || !PackageId().IsMatch(name))
            throw new PackageRestoreException(
                $"{directive}: '{name}' is not a valid NuGet package id. Ids are letters, digits and single '.', '-' or '_' between them " +
                $"(no spaces, quotes, slashes or '..'), at most {MaxIdLength} characters, e.g. MathNet.Numerics.");
        if (version is null || version.Length == 0) return (name, null);
        if (!VersionRange.TryParse(version, allowFloating: true, out var range))
            throw new PackageRestoreException(
                $"{directive}: '{version}' is not a NuGet version. Give a version such as 5.0.0 or 1.0.0-beta.2, a floating one such as 5.*, " +
                "or a range such as [5.0,6.0); or leave it out for the newest.");
        return (name, range);
    }

    IEnumerable<string> PathsFor(string name, VersionRange? range)
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
                if (range is not null && carriedVersion is not null && NuGetVersion.TryParse(carriedVersion, out var carried) && !range.Satisfies(carried))
                    note($"Using {name} {carriedVersion}, which the course engine carries, instead of {range.OriginalString}.");
                return paths!;
            }
        }
        return Restore(name, range);
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

    /// <summary>
    /// Restores a package (and its dependencies) with the SDK into the course cache, once. Without a version it takes
    /// the newest, then records which version that was, so later runs load the same one until the cache is cleaned.
    /// </summary>
    List<string> Restore(string name, VersionRange? range)
    {
        string cache = Path.GetFullPath(CourseCache.Folder("nuget"));
        string folder = Path.GetFullPath(Path.Combine(cache, $"{name}.{FolderKey(range)}".ToLowerInvariant()));
        if (Path.GetDirectoryName(folder) != cache.TrimEnd(Path.DirectorySeparatorChar))
            throw new PackageRestoreException($"NuGet package {name} would be restored outside the course cache ({folder}); refusing.");
        string output = Path.Combine(folder, "out");
        string record = Path.Combine(folder, "restored.json");
        if (ReadRecord(record) is { } restored)
            return restored;

        Directory.CreateDirectory(folder);
        // Empty Directory.*.props stop MSBuild from inheriting settings of whatever folder the cache sits in.
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), "<Project />");
        // Both values passed NuGet's rules above: an id has no XML characters, a normalised range none either.
        File.WriteAllText(Path.Combine(folder, "restore.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                <CopyLocalLockFileAssemblies>true</CopyLocalLockFileAssemblies>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{name}" Version="{range?.ToNormalizedString() ?? "*"}" />
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
                $"Could not restore NuGet package {name}{(range is null ? "" : $" {range.OriginalString}")}: {reason} " +
                "Check the name and version; if you are offline, connect once to restore it (it is cached afterwards).");
        }
        var assemblies = Directory.GetFiles(output, "*.dll").Where(p => Path.GetFileName(p) != "restore.dll").ToList();
        string? resolved = ResolvedVersion(folder, name);
        if (range is null || range.IsFloating)
            note($"Restored {name} {resolved ?? "(version unknown)"}, the newest{(range is null ? "" : $" matching {range.OriginalString}")}; it is kept for later runs. " +
                 $"Write #r \"nuget: {name}, {resolved ?? "x.y.z"}\" to pin it.");
        var json = new JsonObject
        {
            ["id"] = name,
            ["requested"] = range?.ToNormalizedString(),
            ["version"] = resolved,
            ["assemblies"] = new JsonArray(assemblies.Select(a => (JsonNode)a).ToArray()),
        };
        AtomicFile.WriteAllText(record, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return assemblies;
    }

    /// <summary>The cache folder's suffix: the normalised version, <c>latest</c>, or a hash for ranges and floats.</summary>
    static string FolderKey(VersionRange? range)
    {
        if (range is null) return "latest";
        if (range.IsMinInclusive && range.HasLowerBound && !range.HasUpperBound && !range.IsFloating && range.OriginalString?.Trim() == range.MinVersion!.OriginalVersion)
            return range.MinVersion.ToNormalizedString();
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(range.ToNormalizedString()));
        return "range-" + Convert.ToHexStringLower(hash)[..12];
    }

    /// <summary>The assemblies a finished restore recorded, or null when there is none (or it is damaged: restore again).</summary>
    static List<string>? ReadRecord(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var assemblies = JsonNode.Parse(File.ReadAllText(path))?["assemblies"]?.AsArray().Select(a => a!.GetValue<string>()).ToList();
            return assemblies is { Count: > 0 } && assemblies.All(File.Exists) ? assemblies : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The version NuGet chose, from the restore's assets file (<c>"libraries": {"Name/1.2.3": ...}</c>).</summary>
    static string? ResolvedVersion(string folder, string name)
    {
        try
        {
            var libraries = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "obj", "project.assets.json")))?["libraries"]?.AsObject();
            var key = libraries?.Select(l => l.Key).FirstOrDefault(k => k.StartsWith(name + "/", StringComparison.OrdinalIgnoreCase));
            return key?[(name.Length + 1)..];
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>A <c>#r "nuget: ..."</c> that could not be satisfied; the message says why and what to do.</summary>
public sealed class PackageRestoreException(string message) : Exception(message);
