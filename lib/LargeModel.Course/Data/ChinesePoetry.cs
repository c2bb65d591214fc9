using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LargeModel.Course.Data;

/// <summary>
/// The npm package <c>chinese-poetry</c>: the complete Tang poems (全唐诗, traditional characters) and the
/// Song ci (全宋词), as JSON arrays of poems whose lines are in <c>paragraphs</c>.
/// </summary>
/// <remarks>
/// Normalised to one poem per block: its lines, one per line, and a blank line between poems. Titles, authors
/// and tune names are left out, so that a character-level model learns the poems' form and nothing else.
/// </remarks>
public static partial class ChinesePoetry
{
    /// <summary>The pinned package, from the corpus catalogue (data/corpora.json).</summary>
    public static NpmPackage Package => CorpusCatalogue.Package("chinese-poetry");

    public const string TangPoems = "tang-poems";
    public const string SongCi = "song-ci";

    [GeneratedRegex(@"^package/dist/quantangshi/poet\.tang\.(\d+)\.json$")]
    private static partial Regex TangFile();

    [GeneratedRegex(@"^package/dist/songci/ci\.song\.(\w+)\.json$")]
    private static partial Regex SongCiFile();

    /// <summary>Streams the tarball once and writes both corpora; the 360 MB of JSON are never unpacked to disk.</summary>
    public static void Normalise(string tarball, string folder)
    {
        var tang = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var songCi = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        using (var file = File.OpenRead(tarball))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null) continue;
                if (TangFile().Match(entry.Name) is { Success: true } t) tang[Order(t.Groups[1].Value)] = Poems(entry.DataStream, entry.Name);
                else if (SongCiFile().Match(entry.Name) is { Success: true } s) songCi[Order(s.Groups[1].Value)] = Poems(entry.DataStream, entry.Name);
            }
        }
        if (tang.Count == 0 || songCi.Count == 0)
            throw new InvalidDataException($"{Package.Spec} does not have the expected layout (dist/quantangshi/poet.tang.*.json and dist/songci/ci.song.*.json).");
        Write(Path.Combine(folder, TangPoems), tang.Values.SelectMany(p => p));
        Write(Path.Combine(folder, SongCi), songCi.Values.SelectMany(p => p));
    }

    // Files are numbered by their first poem (0, 1000, ..., 57000): order them by number, not as strings.
    static string Order(string number) => long.TryParse(number, out long n) ? n.ToString("D12", System.Globalization.CultureInfo.InvariantCulture) : "~" + number;

    static List<string> Poems(Stream json, string name)
    {
        var poems = new List<string>();
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{name} in {Package.Spec} is not a JSON array of poems.");
        foreach (var poem in document.RootElement.EnumerateArray())
        {
            if (!poem.TryGetProperty("paragraphs", out var paragraphs) || paragraphs.ValueKind != JsonValueKind.Array) continue;
            var lines = paragraphs.EnumerateArray()
                .Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()!.Trim() : "")
                .Where(l => l.Length > 0)
                .ToList();
            if (lines.Count > 0) poems.Add(string.Join('\n', lines).Normalize(NormalizationForm.FormC));
        }
        return poems;
    }

    static void Write(string corpusFolder, IEnumerable<string> poems)
    {
        var train = new StringBuilder();
        var validation = new StringBuilder();
        foreach (var poem in poems)
            (TrainValidationSplit.IsValidation(poem) ? validation : train).Append(poem).Append("\n\n");
        CorpusStore.WriteText(Path.Combine(corpusFolder, "train.txt"), train.ToString());
        CorpusStore.WriteText(Path.Combine(corpusFolder, "validation.txt"), validation.ToString());
    }

    /// <summary>
    /// Whether a poem is a five-character quatrain (五言绝句): four lines of five characters, the form of the
    /// classic generation lesson. Lines in the corpus carry two per row ("白日依山盡，黃河入海流。").
    /// </summary>
    public static bool IsFiveCharacterQuatrain(string poem)
    {
        var halves = poem.Split(['\n', '，', '。', '？', '！', '；'], StringSplitOptions.RemoveEmptyEntries);
        return halves.Length == 4 && halves.All(h => h.EnumerateRunes().Count() == 5);
    }

    /// <summary>The poems of a normalised text (poems are separated by a blank line).</summary>
    public static IEnumerable<string> PoemsOf(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
