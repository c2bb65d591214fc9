using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// Attention(Q, K, V) = softmax(QKᵀ / √d_k) V, written out as the lesson derives it: a matrix product that scores
/// every query against every key, a scale, an optional mask, a softmax, and a second matrix product that mixes the
/// values with those weights.
/// </summary>
/// <remarks>
/// Shapes: queries <c>(..., Tq, d_k)</c>, keys <c>(..., Tk, d_k)</c>, values <c>(..., Tk, d_v)</c>; the leading
/// dimensions (batch, heads) are carried along by the batched matrix products.
/// </remarks>
public static class ScaledDotProductAttention
{
    /// <summary>The attended values, <c>(..., Tq, d_v)</c>.</summary>
    public static Tensor Compute(Tensor query, Tensor key, Tensor value, bool causal = false, Tensor? mask = null)
    {
        var (output, weights) = WithWeights(query, key, value, causal, mask);
        weights.Dispose();
        return output;
    }

    /// <summary>
    /// The attended values and the attention weights <c>(..., Tq, Tk)</c> (each row sums to one): the weights are
    /// what an attention map draws.
    /// </summary>
    /// <param name="causal">Each query sees only keys at its own position or earlier.</param>
    /// <param name="mask">Optional boolean mask broadcastable to <c>(..., Tq, Tk)</c>: true where a query may look.</param>
    /// <param name="dropout">Applied to the weights, as in training a transformer (0 = none).</param>
    public static (Tensor Output, Tensor Weights) WithWeights(
        Tensor query, Tensor key, Tensor value, bool causal = false, Tensor? mask = null, double dropout = 0)
    {
        using var scope = NewDisposeScope();
        long dk = query.shape[^1];
        // Dividing by √d_k keeps the scores' variance near one whatever the head size, so the softmax does not
        // saturate into a one-hot (whose gradient vanishes) as heads get wider.
        var scores = query.matmul(key.transpose(-2, -1)) * (1.0 / Math.Sqrt(dk));
        if (causal)
            scores = scores.masked_fill(CausalMask(query.shape[^2], key.shape[^2], query.device).logical_not(), double.NegativeInfinity);
        if (mask is not null)
            scores = scores.masked_fill(mask.logical_not(), double.NegativeInfinity);
        var weights = scores.softmax(-1);
        var mixed = dropout > 0 ? nn.functional.dropout(weights, dropout, training: true) : weights;
        var output = mixed.matmul(value);
        return (output.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The causal mask, <c>(queries, keys)</c>, true where a query may look. When there are fewer queries than keys
    /// (generation with a KV cache), the queries are the <em>last</em> positions, so query i sits at position
    /// keys − queries + i and sees every key up to there.
    /// </summary>
    public static Tensor CausalMask(long queries, long keys, Device? device = null) =>
        ones(queries, keys, dtype: ScalarType.Bool, device: device).tril(keys - queries);
}
