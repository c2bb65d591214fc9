using SharpToken;

namespace LargeModel.Course.Tokenizers;

/// <summary>
/// One of OpenAI's tokenizers (<c>r50k_base</c>, <c>cl100k_base</c>, <c>o200k_base</c>) as the SharpToken package runs
/// it: the reference that the course's own <see cref="BytePairEncoding"/> is checked against, id for id.
/// </summary>
public sealed class SharpTokenTokenizer(string encoding) : ITokenizer
{
    readonly GptEncoding reference = BytePairEncoding.OpenAiEncodings.Contains(encoding)
        ? GptEncoding.GetEncoding(encoding)
        : throw new ArgumentException($"Unknown encoding '{encoding}'. Choose one of {string.Join(", ", BytePairEncoding.OpenAiEncodings)}.", nameof(encoding));

    public string Name => encoding;

    /// <summary>The mergeable tokens and the special tokens the course knows of (the same as <see cref="BytePairEncoding.FromSharpToken"/>).</summary>
    public int VocabSize => encoding switch { "r50k_base" => 50257, "cl100k_base" => 100277, _ => 200019 };

    public int[] Encode(string text) => [.. reference.Encode(text)];

    public string Decode(IEnumerable<int> tokens) => reference.Decode(tokens);
}
