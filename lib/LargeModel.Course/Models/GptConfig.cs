namespace LargeModel.Course.Models;

/// <summary>The sizes that define a GPT.</summary>
/// <param name="VocabSize">How many different tokens there are.</param>
/// <param name="BlockSize">The longest context the model reads (it has one position embedding per position).</param>
/// <param name="Layers">How many transformer blocks are stacked.</param>
/// <param name="Heads">Attention heads per block; <paramref name="Embedding"/> must divide evenly among them.</param>
/// <param name="Embedding">The width of the residual stream (d_model).</param>
/// <param name="Dropout">Dropout probability during training (0 for small data sets and for benchmarks).</param>
/// <param name="Bias">Whether Linear layers and LayerNorms have biases (GPT-2 has them).</param>
public sealed record GptConfig(
    int VocabSize = 65,
    int BlockSize = 64,
    int Layers = 4,
    int Heads = 4,
    int Embedding = 128,
    double Dropout = 0.0,
    bool Bias = true)
{
    /// <summary>Width of one attention head.</summary>
    public int HeadSize => Embedding / Heads;

    /// <summary>nanoGPT's documented CPU run on Shakespeare's characters: 4 layers, 4 heads, 128 wide, context 64.</summary>
    public static GptConfig NanoGptCpu => new(VocabSize: 65, BlockSize: 64, Layers: 4, Heads: 4, Embedding: 128, Dropout: 0.0);

    /// <summary>GPT-2 small (124M): the size the GPT lessons scale up to on paper.</summary>
    public static GptConfig Gpt2Small => new(VocabSize: 50257, BlockSize: 1024, Layers: 12, Heads: 12, Embedding: 768, Dropout: 0.0);

    /// <summary>GPT-3 "175B" as published (Brown et al. 2020, table 2.1): 96 layers, 96 heads, d_model 12288, context 2048.</summary>
    public static GptConfig Gpt3 => new(VocabSize: 50257, BlockSize: 2048, Layers: 96, Heads: 96, Embedding: 12288, Dropout: 0.0);

    /// <summary>Throws a clear error for sizes that cannot make a model.</summary>
    public void Validate()
    {
        if (VocabSize < 1 || BlockSize < 1 || Layers < 1 || Heads < 1 || Embedding < 1)
            throw new ArgumentException($"Every size of a GPT must be at least 1: {this}.");
        if (Embedding % Heads != 0)
            throw new ArgumentException($"The embedding width ({Embedding}) must divide evenly among the heads ({Heads}).");
        if (Dropout is < 0 or >= 1)
            throw new ArgumentException($"Dropout must be in [0, 1): {Dropout}.");
    }

    /// <summary>
    /// The number of trainable numbers in a <see cref="Gpt"/> of this size, counted by formula:
    /// <code>
    ///   token embedding      V·E        (also the output head: tied, so counted once)
    ///   position embedding   T·E
    ///   per block            12·E²      (attention: 3E² for q,k,v and E² for the output; MLP: 4E² up and 4E² down)
    ///                      + 13·E       biases (3E + E + 4E + E) and two LayerNorms (2·2E); without biases 2·E
    ///   final LayerNorm      2·E        (E without biases)
    /// </code>
    /// For large models 12·L·E² dominates, which is why "parameters ≈ 12 · layers · width²" is the rule of thumb.
    /// </summary>
    public static long ParameterCount(GptConfig config)
    {
        long v = config.VocabSize, t = config.BlockSize, e = config.Embedding, l = config.Layers;
        long layerNorm = config.Bias ? 2 * e : e;
        long linearBiases = config.Bias ? 3 * e + e + 4 * e + e : 0;
        long block = 12 * e * e + linearBiases + 2 * layerNorm;
        return v * e + t * e + l * block + layerNorm;
    }

    /// <summary><see cref="ParameterCount(GptConfig)"/> for this configuration.</summary>
    public long ParameterCount() => ParameterCount(this);
}
