using System.Text;

namespace LargeModel.Course.Tokenizers;

/// <summary>What one training step of BPE did: the pair it merged, how often the pair occurred, and the text's length after it.</summary>
public readonly record struct MergeStep(Merge Merge, long Count, long TokensAfter);

public sealed partial class BytePairEncoding
{
    /// <summary>The training record (null for a loaded tokenizer): the text's length in bytes, then one entry per merge.</summary>
    public BytePairTrainingLog? TrainingLog { get; private init; }

    /// <summary>
    /// Learns <paramref name="mergeCount"/> merges from <paramref name="text"/>: count every pair of adjacent tokens
    /// inside the pieces of the split, merge the most frequent pair into a new token, repeat.
    /// </summary>
    /// <remarks>
    /// Ties go to the smaller pair of ids (left first), so training is deterministic. The counts are kept up to
    /// date incrementally: each piece (word) is stored once with its frequency, and a merge touches only the pieces
    /// that contain its pair, subtracting their old pairs and adding their new ones. Recounting every pair of the
    /// text after each merge would cost a pass over the whole text per merge. Training stops early if no pair occurs
    /// twice or more.
    /// </remarks>
    public static BytePairEncoding Train(string text, int mergeCount, string pattern = PreTokenizer.Gpt2Pattern, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mergeCount);
        // The distinct pieces and how often each occurs: "␣the" is counted once with its frequency, not 30,000 times.
        var frequency = new Dictionary<string, long>();
        var lookup = frequency.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var match in PreTokenizer.Regex(pattern).EnumerateMatches(text))
        {
            var piece = text.AsSpan(match.Index, match.Length);
            lookup[piece] = lookup.TryGetValue(piece, out long f) ? f + 1 : 1;
        }
        var words = new List<int[]>(frequency.Count);
        var counts = new List<long>(frequency.Count);
        foreach (var (piece, f) in frequency)
        {
            words.Add([.. Encoding.UTF8.GetBytes(piece).Select(b => (int)b)]);
            counts.Add(f);
        }

        // Pair -> how often it occurs (weighted by word frequency), and pair -> the words it occurs in.
        var pairCount = new Dictionary<long, long>();
        var wordsWith = new Dictionary<long, HashSet<int>>();
        void AddPairs(int w, long sign)
        {
            var word = words[w];
            for (int i = 0; i + 1 < word.Length; i++)
            {
                long key = Key(word[i], word[i + 1]);
                long c = pairCount.GetValueOrDefault(key) + sign * counts[w];
                if (c == 0) pairCount.Remove(key); else pairCount[key] = c;
                if (sign > 0)
                {
                    if (!wordsWith.TryGetValue(key, out var set)) wordsWith[key] = set = [];
                    set.Add(w);
                }
                else if (wordsWith.TryGetValue(key, out var set)) set.Remove(w);
            }
        }
        for (int w = 0; w < words.Count; w++) AddPairs(w, +1);

        long tokens = 0;
        for (int w = 0; w < words.Count; w++) tokens += words[w].Length * counts[w];
        var log = new BytePairTrainingLog(tokens, Encoding.UTF8.GetByteCount(text), []);
        var merges = new List<Merge>(mergeCount);
        for (int step = 0; step < mergeCount; step++)
        {
            Interrupt.ThrowIfRequested();
            long best = -1, bestCount = 1;
            foreach (var (key, c) in pairCount)
                if (c > bestCount || (c == bestCount && best >= 0 && key < best)) (best, bestCount) = (key, c);
            if (best < 0) break;                                      // no pair occurs twice: nothing left to learn
            int left = (int)(best >> 32), right = (int)(best & 0xFFFFFFFF), id = 256 + step;
            foreach (int w in wordsWith[best].ToArray())
            {
                AddPairs(w, -1);
                var word = words[w];
                var merged = new List<int>(word.Length);
                for (int i = 0; i < word.Length;)
                {
                    if (i + 1 < word.Length && word[i] == left && word[i + 1] == right)
                    {
                        merged.Add(id);
                        i += 2;
                    }
                    else merged.Add(word[i++]);
                }
                tokens -= (word.Length - merged.Count) * counts[w];
                words[w] = [.. merged];
                AddPairs(w, +1);
            }
            wordsWith.Remove(best);
            var merge = new Merge(left, right, id);
            merges.Add(merge);
            log.Steps.Add(new MergeStep(merge, bestCount, tokens));
        }
        return new BytePairEncoding(name ?? $"bpe-{merges.Count}", [.. Enumerable.Range(0, 256)], merges, pattern) { TrainingLog = log };
    }
}

/// <summary>How a BPE was trained: the text's length in tokens before any merge (its bytes) and after each merge.</summary>
public sealed record BytePairTrainingLog(long InitialTokens, long Bytes, List<MergeStep> Steps);
