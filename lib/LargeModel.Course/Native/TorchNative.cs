using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TorchSharp;

namespace LargeModel.Course.Native;

/// <summary>What happened when the course loaded TorchSharp's native library.</summary>
/// <param name="LibraryPath">The file that was loaded.</param>
/// <param name="ShippedPath">The file TorchSharp ships, when a patched copy was loaded instead.</param>
/// <param name="WeakenedVersions">Version requirements marked weak in the patched copy.</param>
public sealed record NativeLoad(string LibraryPath, string? ShippedPath, IReadOnlyList<string> WeakenedVersions)
{
    public bool Patched => ShippedPath is not null;

    public override string ToString() => Patched
        ? $"{LibraryPath} (a copy of the shipped library with {string.Join(", ", WeakenedVersions)} marked weak, because this system's libstdc++ is older)"
        : $"{LibraryPath} (as shipped)";
}

/// <summary>
/// Loads TorchSharp's native glue library, <c>libLibTorchSharp.so</c>, so that TorchSharp works on
/// Linux systems whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04).
/// </summary>
/// <remarks>
/// The shipped library is always tried first; where it loads, nothing else happens (Windows, macOS,
/// Ubuntu 24.04). Where it fails only because of a libstdc++ version requirement that no relocation uses,
/// a patched copy (see <see cref="ElfVersionNeeds"/>) is written once to the user's cache folder, never
/// to the NuGet cache or the build output, and loaded in its place. The resolver is registered when this
/// assembly loads, so a console app, the test host and a notebook session all get the same fix.
/// </remarks>
public static class TorchNative
{
    const string LibraryName = "LibTorchSharp";
    const string FileName = "libLibTorchSharp.so";
    static readonly Lock gate = new();
    static (NativeLoad Load, IntPtr Handle)? loaded;
    static Exception? failure;

#pragma warning disable CA2255 // A library module initializer is the point: it must run before TorchSharp initialises.
    [ModuleInitializer]
    internal static void LoadEarly()
#pragma warning restore CA2255
    {
        CpuThreads.PreferPassiveWaiting();
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // Another copy of this library registered first; its resolver does the same job.
        }
        // TorchSharp's own start-up looks the library up by name without asking resolvers, so it must already
        // be loaded by then: the dynamic linker then matches the name to our copy. A failure is kept and
        // reported with advice by the first Load() (Devices.Best, course doctor).
        try
        {
            LoadOrThrow();
        }
        catch (TorchNativeException)
        {
        }
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        try
        {
            return LoadOrThrow().Handle;
        }
        catch (Exception)
        {
            return IntPtr.Zero; // let the runtime's own search produce its usual error
        }
    }

    /// <summary>
    /// Loads the native library (once) and says how. On Windows and macOS TorchSharp loads it itself and this
    /// only reports the default. Throws <see cref="TorchNativeException"/> with advice when it cannot load.
    /// </summary>
    public static NativeLoad Load() => LoadOrThrow().Load;

    static (NativeLoad Load, IntPtr Handle) LoadOrThrow()
    {
        lock (gate)
        {
            if (loaded is { } done) return done;
            if (failure is not null) throw failure;
            try
            {
                loaded = OperatingSystem.IsLinux() ? LoadOnLinux() : (new NativeLoad("(loaded by TorchSharp)", null, []), IntPtr.Zero);
                return loaded.Value;
            }
            catch (Exception e)
            {
                failure = e is TorchNativeException ? e : new TorchNativeException(e.Message, e);
                throw failure;
            }
        }
    }

    static (NativeLoad, IntPtr) LoadOnLinux()
    {
        var shipped = FindShippedLibrary() ?? throw new TorchNativeException(
            $"TorchSharp's native library {FileName} was not found next to TorchSharp.dll or in the app's native folders. " +
            "Build the course with `dotnet build` (it restores the libtorch package), then run again.");

        if (NativeLibrary.TryLoad(shipped, out var handle))
            return (new NativeLoad(shipped, null, []), handle);

        string error = LoadError(shipped);
        var missing = Regex.Matches(error, @"version `([^']+)' not found").Select(m => m.Groups[1].Value).Distinct().ToList();
        if (missing.Count == 0)
            throw new TorchNativeException($"TorchSharp's native library could not be loaded: {error}");

        var elf = ElfVersionNeeds.Read(File.ReadAllBytes(shipped));
        var toWeaken = elf.Needs.Where(n => missing.Contains(n.Version)).ToList();
        var needed = toWeaken.Where(elf.IsUsedByRelocations).Select(n => n.Version).ToList();
        if (toWeaken.Count == 0 || needed.Count > 0)
            throw new TorchNativeException(
                $"This system's libstdc++ lacks {string.Join(", ", needed.Count > 0 ? needed : missing)}, which TorchSharp's native library really uses. " +
                "Install a newer libstdc++ (GCC 13 or later), or use a newer Linux such as Ubuntu 24.04.");

        string copy = WritePatchedCopy(elf.WithWeakened(toWeaken));

        // The copy lives in another folder, so its $ORIGIN no longer finds libtorch: load the libraries it
        // needs from the shipped folder first; the dynamic linker then matches them by name.
        foreach (var dependency in new[] { "libc10.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so" })
        {
            var path = Path.Combine(Path.GetDirectoryName(shipped)!, dependency);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        if (!NativeLibrary.TryLoad(copy, out handle))
            throw new TorchNativeException($"The patched copy of TorchSharp's native library did not load either: {LoadError(copy)}");
        return (new NativeLoad(copy, shipped, toWeaken.Select(n => n.Version).ToList()), handle);
    }

    /// <summary>Where the runtime would find the shipped library: beside TorchSharp.dll or in the app's native folders.</summary>
    static string? FindShippedLibrary()
    {
        var torchFolder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        var folders = new List<string>();
        if (!string.IsNullOrEmpty(torchFolder))
        {
            folders.Add(torchFolder);
            folders.Add(Path.Combine(torchFolder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"));
            folders.Add(Path.Combine(torchFolder, "runtimes", "linux-x64", "native"));
        }
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
            folders.AddRange(searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        folders.Add(AppContext.BaseDirectory);
        return folders.Select(f => Path.Combine(f, FileName)).FirstOrDefault(File.Exists);
    }

    static string WritePatchedCopy(byte[] patched)
    {
        string hash = Convert.ToHexString(SHA256.HashData(patched))[..16].ToLowerInvariant();
        string folder = Path.Combine(CourseCache.Folder("native"), hash);
        string target = Path.Combine(folder, FileName);
        if (File.Exists(target) && new FileInfo(target).Length == patched.Length) return target;

        // A half-written library must never be picked up by a later run.
        AtomicFile.WriteAllBytes(target, patched);
        return target;
    }

    [SuppressMessage("Design", "CA1031", Justification = "Any failure is turned into the loader's message.")]
    static string LoadError(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "(it loaded on retry)";
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }
}

/// <summary>TorchSharp's native library could not be loaded; the message says what to do.</summary>
public sealed class TorchNativeException(string message, Exception? inner = null) : Exception(message, inner);
