using System.Text;
using System.Text.Json;

namespace LargeModel.Course.Tokenizers;

/// <summary>
/// One token per character: the simplest tokenizer, and the one the first language models in the course use.
/// </summary>
/// <remarks>
/// A "character" is a Unicode scalar (a <see cref="Rune"/>), not a UTF-16 <see cref="char"/>: rare Chinese
/// characters and emoji are two chars in .NET, and splitting them would produce tokens that are not text.
/// The vocabulary is sorted by code point, so the same text always gives the same ids.
/// </remarks>
public sealed class CharTokenizer : ITokenizer
{
    // Readable characters in the saved file (a Chinese vocabulary stays Chinese, not \uXXXX escapes).
    static readonly JsonSerializerOptions json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    readonly string[] symbols;
    readonly Dictionary<int, int> idOfScalar;

    public CharTokenizer(IEnumerable<string> vocabulary)
    {
        symbols = [.. vocabulary];
        idOfScalar = new Dictionary<int, int>(symbols.Length);
        for (int id = 0; id < symbols.Length; id++)
        {
            var symbol = symbols[id];
            if (!Rune.TryGetRuneAt(symbol, 0, out var rune) || rune.Utf16SequenceLength != symbol.Length)
                throw new ArgumentException($"Vocabulary entry {id} (\"{symbol}\") is not exactly one character.", nameof(vocabulary));
            if (!idOfScalar.TryAdd(rune.Value, id))
                throw new ArgumentException($"Vocabulary entry {id} (\"{symbol}\") appears twice.", nameof(vocabulary));
        }
    }

    /// <summary>A tokenizer whose vocabulary is every character of <paramref name="text"/>.</summary>
    /// <remarks>Build it from the whole corpus (training and validation text), or validation may hold a character it cannot encode.</remarks>
    public static CharTokenizer FromText(string text)
    {
        var scalars = new SortedSet<int>();
        foreach (var rune in text.EnumerateRunes()) scalars.Add(rune.Value);
        return new CharTokenizer(scalars.Select(s => new Rune(s).ToString()));
    }

    public string Name => "char";

    public int VocabSize => symbols.Length;

    /// <summary>The characters, in id order.</summary>
    public IReadOnlyList<string> Vocabulary => symbols;

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length);
        int position = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (!idOfScalar.TryGetValue(rune.Value, out int id))
                throw new ArgumentException(
                    $"The character '{rune}' (U+{rune.Value:X4}) at position {position} is not in this tokenizer's vocabulary of {VocabSize} characters. " +
                    "Build the tokenizer from all of the corpus: CharTokenizer.FromText(corpus.Text).", nameof(text));
            ids.Add(id);
            position += rune.Utf16SequenceLength;
        }
        return [.. ids];
    }

    public string Decode(IEnumerable<int> tokens)
    {
        var text = new StringBuilder();
        foreach (int id in tokens)
        {
            if ((uint)id >= (uint)symbols.Length)
                throw new ArgumentOutOfRangeException(nameof(tokens), id, $"Token id {id} is outside this tokenizer's vocabulary (0..{symbols.Length - 1}).");
            text.Append(symbols[id]);
        }
        return text.ToString();
    }

    /// <summary>Saves the vocabulary as JSON, so a trained model can be reloaded with the ids it learned.</summary>
    public void Save(string path)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new SavedVocabulary(Name, symbols), json));
    }

    public static CharTokenizer Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No saved vocabulary at {path}. Save one with tokenizer.Save(path) after building it.", path);
        SavedVocabulary? saved;
        try
        {
            saved = JsonSerializer.Deserialize<SavedVocabulary>(File.ReadAllText(path), json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a saved character vocabulary: {e.Message}", e);
        }
        if (saved is null || saved.Kind != "char" || saved.Vocabulary is null)
            throw new InvalidDataException($"{path} is not a saved character vocabulary (expected {{\"kind\": \"char\", \"vocabulary\": [...]}}).");
        return new CharTokenizer(saved.Vocabulary);
    }
}

sealed record SavedVocabulary(string Kind, string[] Vocabulary);
