using LargeModel.Course.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// A GPT: token ids in, next-token logits out.
/// <code>
///   idx (B, T) ─ wte ─┐
///                     + ─ drop ─ h[0] ─ … ─ h[L-1] ─ ln_f ─ × wteᵀ ─ logits (B, T, V)
///   0..T-1     ─ wpe ─┘
/// </code>
/// </summary>
public sealed class Gpt : nn.Module<Tensor, Tensor>
{
    // Names follow GPT-2's checkpoints (and nanoGPT): wte/wpe = word/position embeddings, h = the blocks,
    // ln_f = the final LayerNorm.
    readonly Embedding wte;
    readonly Embedding wpe;
    readonly Dropout drop;
    readonly ModuleList<GptBlock> h;
    readonly LayerNorm ln_f;

    public Gpt(GptConfig config) : base(nameof(Gpt))
    {
        config.Validate();
        Config = config;
        wte = nn.Embedding(config.VocabSize, config.Embedding);
        wpe = nn.Embedding(config.BlockSize, config.Embedding);
        drop = nn.Dropout(config.Dropout);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new GptBlock(config)).ToArray());
        ln_f = nn.LayerNorm(config.Embedding, bias: config.Bias);
        // No separate output layer: the head reuses wte's matrix (weight tying, as GPT-2 does). A token's input
        // embedding and its output score vector are then the same vector, which saves V·E parameters and trains
        // better on small data.
        RegisterComponents();
        InitialiseWeights();
    }

    public GptConfig Config { get; }

    /// <summary>The transformer blocks, in order.</summary>
    public IReadOnlyList<GptBlock> Blocks => [.. h];

    /// <summary>The token embedding matrix <c>(V, E)</c>, which is also the output head.</summary>
    public Parameter TokenEmbedding => wte.weight!;

    /// <summary>Switch every block's attention between the fused kernel and the written-out version.</summary>
    public bool UseFusedAttention
    {
        get => h.All(block => block.Attention.UseFused);
        set { foreach (var block in h) block.Attention.UseFused = value; }
    }

    /// <summary>idx <c>(B, T)</c> of token ids, T ≤ BlockSize → logits <c>(B, T, V)</c> for the token after each position.</summary>
    public override Tensor forward(Tensor idx) => forward(idx, null);

    /// <summary>
    /// With a <paramref name="cache"/>, <paramref name="idx"/> holds only the tokens after those already cached, and
    /// their positions continue from <see cref="KvCache.Length"/>.
    /// </summary>
    public Tensor forward(Tensor idx, KvCache? cache) =>
        nn.functional.linear(Features(idx, cache), wte.weight!);          // tied head: x · wteᵀ

    /// <summary>
    /// idx <c>(B, T)</c> → the hidden states <c>(B, T, E)</c> after the final LayerNorm, before the tied head: what the
    /// GPT knows about each position. A classification head (<c>FineTuning.GptClassifier</c>) reads these.
    /// </summary>
    public Tensor Features(Tensor idx) => Features(idx, null);

    Tensor Features(Tensor idx, KvCache? cache)
    {
        long t = idx.shape[1];
        long start = cache?.Length ?? 0;
        if (start + t > Config.BlockSize)
            throw new ArgumentException($"This GPT reads at most {Config.BlockSize} positions; got {start + t}. Crop the context to the last {Config.BlockSize} tokens.");

        var positions = arange(start, start + t, dtype: ScalarType.Int64, device: idx.device);
        var x = drop.forward(wte.forward(idx) + wpe.forward(positions));  // (B, T, E) + (T, E) broadcasts over B
        for (int layer = 0; layer < h.Count; layer++)
            x = h[layer].forward(x, cache, layer);
        cache?.Advance((int)t);
        return ln_f.forward(x);
    }

    /// <summary>
    /// A target with this value is not scored by <see cref="Loss"/> (torch's <c>cross_entropy</c> default
    /// <c>ignore_index</c>). Setting the targets of a prompt to it trains on the answer alone: the masked loss.
    /// </summary>
    public const long IgnoreIndex = -100;

    /// <summary>
    /// The mean cross-entropy of logits <c>(B, T, V)</c> against the next tokens <c>(B, T)</c> (or of class logits
    /// <c>(B, C)</c> against labels <c>(B)</c>). Targets equal to <see cref="IgnoreIndex"/> are left out of both the
    /// sum and the count: the mean is over the scored positions only.
    /// </summary>
    public static Tensor Loss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), targets.view(-1), ignore_index: IgnoreIndex);

    /// <summary>Counts the model's parameters as they are (the tied matrix once): compare with <see cref="GptConfig.ParameterCount(GptConfig)"/>.</summary>
    public long CountParameters() => parameters().Sum(p => p.numel());

    /// <summary>AdamW with weight decay on the weight matrices and embeddings only (see <see cref="GptTraining.AdamW"/>).</summary>
    public FlatAdamW ConfigureOptimizer(double learningRate, double weightDecay = 0.1, double beta1 = 0.9, double beta2 = 0.95) =>
        GptTraining.AdamW(this, learningRate, weightDecay, beta1, beta2);

    void InitialiseWeights()
    {
        // GPT-2's initialisation: small normal weights (std 0.02), zero biases, and the layers that write into the
        // residual stream (each block's two c_proj) scaled down by √(2·layers), so the stream's variance does not
        // grow with depth: 2 additions per block, L blocks.
        using var noGrad = no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) nn.init.normal_(p, 0, residualStd);
            else if (p.dim() >= 2) nn.init.normal_(p, 0, 0.02);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) nn.init.zeros_(p);
        }
    }
}
