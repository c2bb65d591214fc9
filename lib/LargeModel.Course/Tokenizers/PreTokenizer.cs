using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace LargeModel.Course.Tokenizers;

/// <summary>
/// The split a byte-level BPE makes before it merges anything: a regular expression cuts text into pieces (roughly
/// words with their leading space, runs of digits, punctuation, whitespace), and merges never cross a piece's edge.
/// </summary>
/// <remarks>
/// Without the split, the most frequent pairs of an English text soon include "e␣" and "␣t", and the vocabulary
/// fills up with fragments such as "e␣t" that glue the end of one word to the start of the next. The patterns below
/// are the published ones of GPT-2 (its encoder.py) and of OpenAI's later tokenizers (tiktoken's cl100k_base and
/// o200k_base), run by .NET's regular-expression engine as SharpToken runs them.
/// </remarks>
public static class PreTokenizer
{
    /// <summary>
    /// GPT-2's split: English contractions; an optional space and then letters, or digits, or other symbols; and
    /// whitespace, where a run of spaces before a word leaves its last space to that word.
    /// </summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>cl100k_base (GPT-3.5 and GPT-4): contractions in any case, numbers in groups of at most three digits, line breaks kept apart.</summary>
    public const string Cl100kPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>o200k_base (GPT-4o): like cl100k_base, but words split at case changes and contractions stay with their word.</summary>
    public const string O200kPattern =
        @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?" +
        @"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>No word split at all, only whole lines: merges may then cross spaces (the lesson shows why that is worse).</summary>
    public const string LinesPattern = @"[^\n]*\n|[^\n]+";

    static readonly ConcurrentDictionary<string, Regex> compiled = new();

    /// <summary>The pattern compiled once and shared (compiling a large pattern takes milliseconds).</summary>
    public static Regex Regex(string pattern) =>
        compiled.GetOrAdd(pattern, p => new Regex(p, RegexOptions.Compiled | RegexOptions.CultureInvariant));

    /// <summary>The pieces of <paramref name="text"/>, in order; concatenated they give the text back when the pattern covers everything.</summary>
    public static IEnumerable<string> Split(string text, string pattern = Gpt2Pattern) =>
        Regex(pattern).Matches(text).Select(m => m.Value);
}
