using TorchSharp;

namespace LargeModel.Course.Tokenizers;

/// <summary>
/// Text to token ids and back. The character tokenizer of the lessons and GPT-2's tokenizer both implement it, so a
/// model, a batcher or a sampler works with either.
/// </summary>
public interface ITokenizer
{
    /// <summary>A short name for messages and saved files, e.g. <c>char</c> or <c>gpt2</c>.</summary>
    string Name { get; }

    /// <summary>How many distinct ids there are: the size of the model's embedding and output layers.</summary>
    int VocabSize { get; }

    int[] Encode(string text);

    string Decode(IEnumerable<int> tokens);
}

public static class TokenizerExtensions
{
    /// <summary>Decodes a 1-D tensor of ids, as a sampler produces them.</summary>
    public static string Decode(this ITokenizer tokenizer, torch.Tensor tokens)
    {
        if (tokens.dim() != 1)
            throw new ArgumentException($"Decode takes a 1-D tensor of token ids; this one has shape [{string.Join(", ", tokens.shape)}]. Pick one row, e.g. tokens[0].", nameof(tokens));
        using var cpu = tokens.to(torch.CPU).to_type(torch.int64);
        return tokenizer.Decode(cpu.data<long>().ToArray().Select(id => checked((int)id)));
    }
}
