using System.Collections.Concurrent;

namespace LargeModel.Course.Tokenizers;

public sealed partial class BytePairEncoding
{
    static readonly ConcurrentDictionary<string, Lazy<BytePairEncoding>> openAi = new();

    /// <summary>The names <see cref="FromSharpToken"/> accepts.</summary>
    public static IReadOnlyList<string> OpenAiEncodings { get; } = ["r50k_base", "cl100k_base", "o200k_base"];

    /// <summary>GPT-2's tokenizer (<c>r50k_base</c>): 256 bytes, 50,000 merges and <c>&lt;|endoftext|&gt;</c>, 50,257 ids.</summary>
    public static BytePairEncoding Gpt2() => FromSharpToken("r50k_base");

    /// <summary>
    /// One of OpenAI's tokenizers (<c>r50k_base</c>, <c>cl100k_base</c>, <c>o200k_base</c>), loaded from the tables that
    /// ship inside the SharpToken package (read from the package's assembly, not copied), with its split pattern.
    /// </summary>
    /// <remarks>
    /// The tables list every token's bytes with a rank, not merges. A token's merge is recovered by running the
    /// merges of lower rank over its bytes: they stop at exactly two tokens, and those two are the pair that makes it.
    /// Encoding with the recovered merges then gives exactly tiktoken's ids (the unit tests compare with SharpToken).
    /// Loaded once per process and shared.
    /// </remarks>
    public static BytePairEncoding FromSharpToken(string encoding) =>
        openAi.GetOrAdd(encoding, e => new Lazy<BytePairEncoding>(() => LoadRanks(e))).Value;

    static BytePairEncoding LoadRanks(string encoding)
    {
        var (pattern, special) = encoding switch
        {
            "r50k_base" => (PreTokenizer.Gpt2Pattern, new Dictionary<string, int> { ["<|endoftext|>"] = 50256 }),
            "cl100k_base" => (PreTokenizer.Cl100kPattern, new Dictionary<string, int>
            {
                ["<|endoftext|>"] = 100257, ["<|fim_prefix|>"] = 100258, ["<|fim_middle|>"] = 100259, ["<|fim_suffix|>"] = 100260, ["<|endofprompt|>"] = 100276,
            }),
            "o200k_base" => (PreTokenizer.O200kPattern, new Dictionary<string, int> { ["<|endoftext|>"] = 199999, ["<|endofprompt|>"] = 200018 }),
            _ => throw new ArgumentException($"Unknown encoding '{encoding}'. Choose one of {string.Join(", ", OpenAiEncodings)}.", nameof(encoding)),
        };
        string resource = $"SharpToken.data.{encoding}.tiktoken";
        using var stream = typeof(SharpToken.GptEncoding).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"The SharpToken package has no table {resource}; the course expects SharpToken 2.0.6.");
        using var reader = new StreamReader(stream);

        // Each line: the token's bytes in base64, a space, its rank (= its id). Ranks 0..255 are the single bytes.
        var tokens = new List<(byte[] Bytes, int Rank)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            tokens.Add((Convert.FromBase64String(line[..space]), int.Parse(line[(space + 1)..])));
        }
        tokens.Sort((a, b) => a.Rank.CompareTo(b.Rank));

        var idOfByte = new int[256];
        Array.Fill(idOfByte, -1);
        foreach (var (bytes, rank) in tokens.Where(t => t.Bytes.Length == 1)) idOfByte[bytes[0]] = rank;
        if (idOfByte.Any(id => id < 0)) throw new InvalidDataException($"{resource} lacks a token for some single byte.");

        // Recover the merges in rank order, each from the merges before it.
        var partial = new BytePairEncoding(encoding, idOfByte, [], pattern);
        var merges = new List<Merge>(tokens.Count);
        foreach (var (bytes, rank) in tokens.Where(t => t.Bytes.Length > 1))
        {
            var parts = bytes.Select(b => idOfByte[b]).ToArray();
            int n = partial.ApplyMerges(parts);
            if (n != 2) throw new InvalidDataException($"Token {rank} of {encoding} is not one merge of two earlier tokens ({n} parts).");
            var merge = new Merge(parts[0], parts[1], rank);
            partial.AddMerge(merge);
            merges.Add(merge);
        }
        return new BytePairEncoding(encoding, idOfByte, merges, pattern, special);
    }

    /// <summary>Used only while recovering merges: appends one, with the next rank.</summary>
    void AddMerge(Merge merge) => rankOfPair.Add(Key(merge.Left, merge.Right), (rankOfPair.Count, merge.Id));
}
