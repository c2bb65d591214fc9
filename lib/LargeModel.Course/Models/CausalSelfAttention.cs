using System.Reflection;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// Multi-head causal self-attention: every position looks at itself and the positions before it, through
/// <c>Heads</c> independent heads of width <c>Embedding / Heads</c>, and the heads' outputs are mixed back into the
/// residual stream by one more linear layer.
/// </summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>, ILinearSlots
{
    // One Linear computes queries, keys and values for all heads at once: the same arithmetic as three separate
    // E→E layers (or 3·Heads small ones), but a single large matrix product, which is what CPUs and GPUs do fastest.
    // Typed as any module, not Linear, so fine-tuning can wrap it (see ILinearSlots).
    nn.Module<Tensor, Tensor> c_attn;
    // Mixes the concatenated heads back into the residual stream.
    nn.Module<Tensor, Tensor> c_proj;
    // Dropout on the attention weights is applied inside the attention function (its p argument) while training.
    readonly Dropout resid_dropout;
    readonly int heads;
    readonly int embedding;
    readonly double dropout;

    public CausalSelfAttention(GptConfig config) : base(nameof(CausalSelfAttention))
    {
        config.Validate();
        heads = config.Heads;
        embedding = config.Embedding;
        dropout = config.Dropout;
        c_attn = nn.Linear(embedding, 3 * embedding, hasBias: config.Bias);
        c_proj = nn.Linear(embedding, embedding, hasBias: config.Bias);
        resid_dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>
    /// Whether this TorchSharp has the fused kernel <c>nn.functional.scaled_dot_product_attention</c> (0.107 does;
    /// checked by reflection so that the switch below explains itself rather than failing on an older version).
    /// </summary>
    public static bool FusedAvailable { get; } =
        typeof(nn.functional).GetMethod("scaled_dot_product_attention", BindingFlags.Public | BindingFlags.Static) is not null;

    /// <summary>
    /// Use TorchSharp's fused attention kernel (true, the default where available) or the three-products-and-a-softmax
    /// of <see cref="ScaledDotProductAttention"/> (false). Both compute the same function; the fused kernel never
    /// materialises the T×T weight matrix in the backward pass, so it is faster and lighter for long contexts.
    /// </summary>
    public bool UseFused { get; set; } = FusedAvailable;

    /// <summary>The attention weights of the last forward pass <c>(B, heads, T, T)</c>, when <see cref="KeepWeights"/> is on.</summary>
    public Tensor? LastWeights { get; private set; }

    /// <summary>Keep each forward pass's attention weights in <see cref="LastWeights"/> (for attention maps; uses the unfused path).</summary>
    public bool KeepWeights { get; set; }

    /// <summary>x <c>(B, T, Embedding)</c> → <c>(B, T, Embedding)</c>.</summary>
    public override Tensor forward(Tensor x) => forward(x, null, 0);

    /// <summary>
    /// With a <paramref name="cache"/>, <paramref name="x"/> holds only the new positions: their keys and values are
    /// appended to the cache's <paramref name="layer"/> and the queries attend over everything stored.
    /// </summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer)
    {
        long b = x.shape[0], t = x.shape[1];
        long headSize = embedding / heads;

        // (B, T, 3E) → three (B, T, E) → each (B, heads, T, head size): heads become a batch dimension.
        var qkv = c_attn.forward(x).split(embedding, 2);
        var q = qkv[0].view(b, t, heads, headSize).transpose(1, 2);
        var k = qkv[1].view(b, t, heads, headSize).transpose(1, 2);
        var v = qkv[2].view(b, t, heads, headSize).transpose(1, 2);
        if (cache is not null)
            (k, v) = cache.Append(layer, k, v);
        long keys = k.shape[2];

        Tensor y;
        double p = training ? dropout : 0.0;
        if (UseFused && FusedAvailable && !KeepWeights)
        {
            // The fused kernel's is_causal assumes as many queries as keys. With a cache and one new query, that query
            // may see every stored key, so no mask is needed; several new queries need the offset mask.
            y = t == keys ? nn.functional.scaled_dot_product_attention(q, k, v, p: p, is_casual: true)
                : t == 1 ? nn.functional.scaled_dot_product_attention(q, k, v, p: p)
                : nn.functional.scaled_dot_product_attention(q, k, v, ScaledDotProductAttention.CausalMask(t, keys, x.device), p);
        }
        else
        {
            var (output, weights) = ScaledDotProductAttention.WithWeights(q, k, v, causal: true, dropout: p);
            if (KeepWeights)
            {
                LastWeights?.Dispose();
                LastWeights = weights.detach().DetachFromDisposeScope();
            }
            y = output;
        }

        // (B, heads, T, head size) → (B, T, E): put the heads side by side again, then mix them.
        y = y.transpose(1, 2).contiguous().view(b, t, embedding);
        return resid_dropout.forward(c_proj.forward(y));
    }

    nn.Module<Tensor, Tensor> ILinearSlots.Replace(string name, nn.Module<Tensor, Tensor> layer) =>
        LinearSlots.Replace(this, name, layer, _internal_submodules);

    protected override void Dispose(bool disposing)
    {
        if (disposing) LastWeights?.Dispose();
        base.Dispose(disposing);
    }
}
