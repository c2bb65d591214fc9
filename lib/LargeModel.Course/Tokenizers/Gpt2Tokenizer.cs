using SharpToken;

namespace LargeModel.Course.Tokenizers;

/// <summary>
/// GPT-2's byte-level BPE tokenizer (the <c>r50k_base</c> tables, shipped inside the SharpToken package): tokens that
/// are whole pieces of words, the one to use with GPT-2's vocabulary. Lesson 11 builds the same tokenizer from scratch
/// (<see cref="BytePairEncoding.Gpt2"/>, tested id for id against this one).
/// </summary>
public sealed class Gpt2Tokenizer : ITokenizer
{
    static readonly Lazy<GptEncoding> encoding = new(() => GptEncoding.GetEncoding("r50k_base"));

    public string Name => "gpt2";

    /// <summary>50,257: 256 bytes, 50,000 merges and the end-of-text token.</summary>
    public int VocabSize => 50257;

    /// <summary>The id of <c>&lt;|endoftext|&gt;</c>, which GPT-2 places between documents.</summary>
    public int EndOfText => 50256;

    public int[] Encode(string text) => [.. encoding.Value.Encode(text)];

    public string Decode(IEnumerable<int> tokens) => encoding.Value.Decode([.. tokens]);
}
