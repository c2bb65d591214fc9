using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// One transformer block, pre-norm as in GPT-2: x + attn(ln_1(x)), then x + mlp(ln_2(x)).
/// </summary>
/// <remarks>
/// The residual additions keep a direct path from every block to the output, so gradients reach the first layers
/// undiminished; normalising the input of each branch (pre-norm) rather than the sum (post-norm, the 2017 paper)
/// keeps that path clean and makes deep stacks train without a careful warm-up.
/// </remarks>
public sealed class GptBlock : nn.Module<Tensor, Tensor>
{
    readonly LayerNorm ln_1;
    readonly CausalSelfAttention attn;
    readonly LayerNorm ln_2;
    readonly FeedForward mlp;

    public GptBlock(GptConfig config) : base(nameof(GptBlock))
    {
        ln_1 = nn.LayerNorm(config.Embedding, bias: config.Bias);
        attn = new CausalSelfAttention(config);
        ln_2 = nn.LayerNorm(config.Embedding, bias: config.Bias);
        mlp = new FeedForward(config);
        RegisterComponents();
    }

    /// <summary>The block's attention, e.g. to switch it to the unfused path or read its weights.</summary>
    public CausalSelfAttention Attention => attn;

    public override Tensor forward(Tensor x) => forward(x, null, 0);

    /// <summary>With a <paramref name="cache"/>, <paramref name="x"/> holds only the new positions.</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer)
    {
        x = x + attn.forward(ln_1.forward(x), cache, layer);
        return x + mlp.forward(ln_2.forward(x));
    }
}
