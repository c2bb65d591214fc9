using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LargeModel.Course.Tokenizers;

/// <summary>One merge of a byte-pair encoding: the tokens <c>Left</c> and <c>Right</c>, side by side, become token <c>Id</c>.</summary>
public readonly record struct Merge(int Left, int Right, int Id);

/// <summary>
/// A byte-level byte-pair encoding (BPE), the tokenizer of GPT-2 and its successors: text is cut into pieces by a
/// regular expression (<see cref="PreTokenizer"/>), each piece becomes its UTF-8 bytes, and learned merges glue
/// adjacent tokens together, the earliest-learned merge first, until no merge applies.
/// </summary>
/// <remarks>
/// The 256 bytes are the base alphabet, so any text can be encoded and nothing is ever unknown. Train one with
/// <see cref="Train"/>, or load OpenAI's tables (<see cref="Gpt2"/>, <see cref="FromSharpToken"/>), which then
/// produce exactly the ids of the real tokenizers. Special tokens such as <c>&lt;|endoftext|&gt;</c> decode to their
/// text, but <see cref="Encode"/> treats all text as ordinary text and never emits them.
/// </remarks>
public sealed partial class BytePairEncoding : ITokenizer
{
    // Readable JSON, like the character tokenizer's.
    static readonly JsonSerializerOptions json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    readonly int[] idOfByte;
    readonly Merge[] merges;
    readonly Dictionary<long, (int Rank, int Id)> rankOfPair;
    readonly byte[]?[] bytesOf;
    readonly Dictionary<string, int> special;
    readonly Regex splitter;
    // Pieces that are one whole token (most words of a trained language), found without merging, as tiktoken does.
    readonly Dictionary<string, int> wholeToken = [];
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> whole;
    // A piece seen before is not merged again (GPT-2's encoder.py keeps the same cache); words repeat a lot.
    readonly ConcurrentDictionary<string, int[]> cache = new();
    readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> cached;

    /// <param name="name">A short name for messages and saved files.</param>
    /// <param name="idOfByte">The token id of each of the 256 bytes.</param>
    /// <param name="merges">The merges in the order they were learned: the first has the highest priority.</param>
    /// <param name="pattern">The pre-tokenisation pattern (<see cref="PreTokenizer"/>).</param>
    /// <param name="specialTokens">Tokens that stand for themselves, such as <c>&lt;|endoftext|&gt;</c>.</param>
    public BytePairEncoding(string name, IReadOnlyList<int> idOfByte, IEnumerable<Merge> merges, string pattern,
        IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        if (idOfByte.Count != 256) throw new ArgumentException($"A byte-level BPE needs an id for each of the 256 bytes, not {idOfByte.Count}.", nameof(idOfByte));
        Name = name;
        Pattern = pattern;
        splitter = PreTokenizer.Regex(pattern);
        this.idOfByte = [.. idOfByte];
        this.merges = [.. merges];
        special = specialTokens is null ? [] : new Dictionary<string, int>(specialTokens);
        cached = cache.GetAlternateLookup<ReadOnlySpan<char>>();

        int size = Math.Max(this.idOfByte.Max(), this.merges.Length == 0 ? 0 : this.merges.Max(m => m.Id));
        if (special.Count > 0) size = Math.Max(size, special.Values.Max());
        bytesOf = new byte[]?[size + 1];
        for (int b = 0; b < 256; b++)
        {
            int id = this.idOfByte[b];
            if (bytesOf[id] is not null) throw new ArgumentException($"Bytes {bytesOf[id]![0]} and {b} share the id {id}.", nameof(idOfByte));
            bytesOf[id] = [(byte)b];
        }
        rankOfPair = new Dictionary<long, (int, int)>(this.merges.Length);
        for (int rank = 0; rank < this.merges.Length; rank++)
        {
            var (left, right, id) = this.merges[rank];
            if (bytesOf[left] is not { } l || bytesOf[right] is not { } r)
                throw new ArgumentException($"Merge {rank} ({left}, {right}) uses a token that no earlier merge made.", nameof(merges));
            if (bytesOf[id] is not null) throw new ArgumentException($"Merge {rank} makes token {id}, which exists already.", nameof(merges));
            if (!rankOfPair.TryAdd(Key(left, right), (rank, id))) throw new ArgumentException($"The pair ({left}, {right}) is merged twice.", nameof(merges));
            bytesOf[id] = [.. l, .. r];
        }
        // Merging a token's own bytes gives back that token, unless another token has the same bytes (a trained BPE
        // can make "abc" as a·bc and as ab·c); such texts, and bytes that are not whole characters, take the slow path.
        var duplicates = new HashSet<string>();
        foreach (var merge in this.merges)
        {
            var bytes = bytesOf[merge.Id]!;
            if (!System.Text.Unicode.Utf8.IsValid(bytes)) continue;
            string text = Encoding.UTF8.GetString(bytes);
            if (!wholeToken.TryAdd(text, merge.Id)) duplicates.Add(text);
        }
        foreach (var text in duplicates) wholeToken.Remove(text);
        for (int b = 0; b < 128; b++) wholeToken.TryAdd(((char)b).ToString(), this.idOfByte[b]);   // ASCII: a space, a comma
        whole = wholeToken.GetAlternateLookup<ReadOnlySpan<char>>();

        foreach (var (text, id) in special)
        {
            if (bytesOf[id] is not null) throw new ArgumentException($"The special token {text} has id {id}, which a byte or merge uses.", nameof(specialTokens));
            bytesOf[id] = Encoding.UTF8.GetBytes(text);
        }
    }

    public string Name { get; }

    /// <summary>One more than the largest id: 256 + merges for a trained BPE, 50,257 for GPT-2.</summary>
    public int VocabSize => bytesOf.Length;

    /// <summary>The pre-tokenisation pattern.</summary>
    public string Pattern { get; }

    /// <summary>The merges in priority order (the order they were learned).</summary>
    public IReadOnlyList<Merge> Merges => merges;

    /// <summary>The special tokens and their ids (empty for a trained BPE).</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => special;

    /// <summary>The id of a byte (for a trained BPE the byte's value; GPT-2 orders them differently).</summary>
    public int IdOfByte(byte b) => idOfByte[b];

    /// <summary>Keep encoded pieces for reuse (on by default); off, every piece is merged afresh (the benchmark measures both).</summary>
    public bool CachePieces { get; set; } = true;

    static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        foreach (var match in splitter.EnumerateMatches(text))
            EncodePiece(text.AsSpan(match.Index, match.Length), ids);
        return [.. ids];
    }

    /// <summary>The tokens of one piece (a word with its space, a run of digits, ...), without the regular-expression split.</summary>
    public int[] EncodePiece(string piece)
    {
        var ids = new List<int>();
        EncodePiece(piece.AsSpan(), ids);
        return [.. ids];
    }

    void EncodePiece(ReadOnlySpan<char> piece, List<int> output)
    {
        if (CachePieces && cached.TryGetValue(piece, out var known))
        {
            output.AddRange(known);
            return;
        }
        if (whole.TryGetValue(piece, out int token))
        {
            output.Add(token);
            return;
        }
        int length = Encoding.UTF8.GetByteCount(piece);
        Span<byte> bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(piece, bytes);
        Span<int> parts = length <= 256 ? stackalloc int[length] : new int[length];
        for (int i = 0; i < length; i++) parts[i] = idOfByte[bytes[i]];
        int n = ApplyMerges(parts);
        if (CachePieces)
        {
            if (cache.Count > 100_000) cache.Clear();   // bounded: a long text of random strings must not fill memory
            cached.TryAdd(piece, parts[..n].ToArray());
        }
        foreach (int id in parts[..n]) output.Add(id);
    }

    /// <summary>The merge loop alone, with neither the cache nor the whole-token shortcut (the tests compare the two).</summary>
    internal int[] MergeOnly(string piece)
    {
        var parts = Encoding.UTF8.GetBytes(piece).Select(b => idOfByte[b]).ToArray();
        return parts[..ApplyMerges(parts)];
    }

    /// <summary>
    /// Merges in place until no pair of neighbours has a merge, the pair learned earliest first; returns the new length.
    /// </summary>
    /// <remarks>
    /// All occurrences of the chosen pair are merged in one left-to-right sweep. That equals merging them one at a time:
    /// a merge only creates pairs that contain the new token, and any merge of those was learned later.
    /// </remarks>
    int ApplyMerges(Span<int> parts)
    {
        int n = parts.Length;
        while (n >= 2)
        {
            int bestRank = int.MaxValue, bestId = -1, left = 0, right = 0;
            for (int i = 0; i + 1 < n; i++)
                if (rankOfPair.TryGetValue(Key(parts[i], parts[i + 1]), out var merge) && merge.Rank < bestRank)
                    (bestRank, bestId, left, right) = (merge.Rank, merge.Id, parts[i], parts[i + 1]);
            if (bestId < 0) break;
            int kept = 0;
            for (int i = 0; i < n;)
            {
                if (i + 1 < n && parts[i] == left && parts[i + 1] == right)
                {
                    parts[kept++] = bestId;
                    i += 2;
                }
                else parts[kept++] = parts[i++];
            }
            n = kept;
        }
        return n;
    }

    /// <summary>The bytes the tokens stand for, concatenated.</summary>
    public byte[] DecodeBytes(IEnumerable<int> tokens)
    {
        var bytes = new List<byte>();
        foreach (int id in tokens) bytes.AddRange(TokenBytes(id));
        return [.. bytes];
    }

    /// <summary>
    /// The text the tokens stand for. A token sequence can end (or start) inside a character: a Chinese character is
    /// three bytes, and a model may stop after two. Such incomplete bytes become U+FFFD (�), as in OpenAI's tokenizers;
    /// to stream text as it is generated, hold incomplete trailing bytes back until the next token completes them.
    /// </summary>
    public string Decode(IEnumerable<int> tokens) => Encoding.UTF8.GetString(DecodeBytes(tokens));

    /// <summary>The bytes of one token.</summary>
    public byte[] TokenBytes(int id)
    {
        if ((uint)id >= (uint)bytesOf.Length || bytesOf[id] is not { } bytes)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id} is not in this tokenizer's vocabulary (0..{bytesOf.Length - 1}).");
        return bytes;
    }

    /// <summary>One token as text, for display (a token that is part of a character shows as �).</summary>
    public string TokenText(int id) => Encoding.UTF8.GetString(TokenBytes(id));

    /// <summary>Saves the byte ids, the merges, the pattern and the special tokens as JSON.</summary>
    public void Save(string path)
    {
        var saved = new SavedBytePairEncoding("bpe", Name, Pattern, idOfByte, [.. merges.Select(m => new[] { m.Left, m.Right, m.Id })], special);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(saved, json));
    }

    public static BytePairEncoding Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No saved tokenizer at {path}. Save one with tokenizer.Save(path) after training it.", path);
        SavedBytePairEncoding? saved;
        try
        {
            saved = JsonSerializer.Deserialize<SavedBytePairEncoding>(File.ReadAllText(path), json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a saved byte-pair encoding: {e.Message}", e);
        }
        if (saved is null || saved.Kind != "bpe" || saved.Bytes is null || saved.Merges is null || saved.Pattern is null || saved.Merges.Any(m => m.Length != 3))
            throw new InvalidDataException($"{path} is not a saved byte-pair encoding (expected {{\"kind\": \"bpe\", \"bytes\": [...], \"merges\": [[left, right, id], ...], ...}}).");
        try
        {
            return new BytePairEncoding(saved.Name ?? "bpe", saved.Bytes, saved.Merges.Select(m => new Merge(m[0], m[1], m[2])), saved.Pattern, saved.Special);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path} holds an inconsistent byte-pair encoding: {e.Message}", e);
        }
    }

    public override string ToString() => $"{Name}: byte-level BPE, {merges.Length:N0} merges, {VocabSize:N0} tokens";
}

sealed record SavedBytePairEncoding(string Kind, string? Name, string? Pattern, int[]? Bytes, int[][]? Merges, Dictionary<string, int>? Special);
