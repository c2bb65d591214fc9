using static TorchSharp.torch;

namespace LargeModel.Course.Generation;

/// <summary>
/// The filters that turn a model's logits into a choice of next token, as pure functions on a logits tensor
/// <c>(..., V)</c>: each returns new logits (removed tokens set to −∞) so a lesson can show the distribution
/// before and after each one.
/// </summary>
public static class Sampling
{
    /// <summary>logits / T. T → 0 approaches greedy decoding; T = 1 leaves the model's distribution as it is.</summary>
    public static Tensor Temperature(Tensor logits, double temperature)
    {
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive (use greedy decoding for 0).");
        return logits / temperature;
    }

    /// <summary>Keeps the <paramref name="k"/> largest logits of each row; the rest become −∞.</summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "top-k needs k ≥ 1.");
        long vocabulary = logits.shape[^1];
        if (k >= vocabulary) return logits.clone();
        using var scope = NewDisposeScope();
        // Keep by position rather than by comparing with the k-th value, so ties at the boundary still leave exactly k.
        var (_, indices) = logits.topk(k, dim: -1);
        var keep = zeros_like(logits, dtype: ScalarType.Bool).scatter(-1, indices, ones_like(indices, dtype: ScalarType.Bool));
        return logits.masked_fill(keep.logical_not(), double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Nucleus filtering: keeps, in each row, the smallest set of most likely tokens whose probabilities sum to at
    /// least <paramref name="p"/>; the rest become −∞. Unlike top-k, the set is small when the model is sure and
    /// large when it is not.
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "top-p needs 0 < p ≤ 1.");
        using var scope = NewDisposeScope();
        var (sorted, indices) = logits.sort(-1, descending: true);
        var cumulative = sorted.softmax(-1).cumsum(-1);
        // Token i (in sorted order) is dropped if the tokens before it already reach p: mass before i = cumulative - own.
        var before = cumulative - sorted.softmax(-1);
        var dropSorted = before >= p;
        var drop = zeros_like(dropSorted).scatter(-1, indices, dropSorted);
        return logits.masked_fill(drop, double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>Applies temperature, top-k and top-p from <paramref name="options"/> in that order and returns the probabilities.</summary>
    public static Tensor Probabilities(Tensor logits, SamplingOptions options)
    {
        using var scope = NewDisposeScope();
        var filtered = options.Temperature == 1.0 ? logits : Temperature(logits, options.Temperature);
        if (options.TopK is int k) filtered = TopK(filtered, k);
        if (options.TopP is double p) filtered = TopP(filtered, p);
        return filtered.softmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Picks one token per row of <paramref name="logits"/> <c>(B, V)</c>: the arg-max when greedy, else a draw from
    /// <see cref="Probabilities"/>. Returns ids <c>(B)</c>.
    /// </summary>
    public static Tensor Next(Tensor logits, SamplingOptions options, Generator? generator = null)
    {
        if (options.IsGreedy) return logits.argmax(-1);
        using var scope = NewDisposeScope();
        var probabilities = Probabilities(logits, options);
        return multinomial(probabilities, 1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }
}
