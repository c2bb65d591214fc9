namespace LargeModel.Course.Models;

/// <summary>
/// The arithmetic a <see cref="Gpt"/> does, counted from its sizes: the course's one formula for compute, used by
/// lesson 13 and by <c>course bench train</c>. A FLOP is one multiply or one add, so a multiply-accumulate is 2.
/// <code>
///   forward, per token     2·N             every parameter that multiplies is used once per token (one multiply-add)
///                        + 4·L·E·T         attention: q·kᵀ against T keys, then weights·v over T values, in each of L blocks
///   backward, per token    twice forward   a product's gradient needs two products: one for its input, one for its weights
///   training, per token    6·N + 12·L·E·T  forward + backward (Kaplan et al. 2020; Hoffmann et al. 2022, appendix F)
/// </code>
/// N counts the parameters that take part in matrix products: all of them except the position table, which is only
/// looked up (the token table is looked up too, but as the tied output head it multiplies every position's vector).
/// T is the context the model is run with. Attention is counted over the whole T×T square of scores, as the papers count
/// it, although the causal mask throws away half of it (a kernel that skips the masked half does less work). Biases, LayerNorms, GELU and softmax add a few FLOPs per number
/// they touch, not per parameter, and are left out, as the papers do.
/// </summary>
public static class Flops
{
    /// <summary>The parameters that multiply: every one but the position embeddings.</summary>
    public static long MatmulParameters(GptConfig config) => config.ParameterCount() - (long)config.BlockSize * config.Embedding;

    /// <summary>
    /// The parameters outside the embedding tables, Kaplan et al.'s N for scaling laws: the blocks and the final
    /// LayerNorm. (The tied head is the token table, so it is excluded with it.)
    /// </summary>
    public static long NonEmbeddingParameters(GptConfig config) =>
        config.ParameterCount() - ((long)config.VocabSize + config.BlockSize) * config.Embedding;

    /// <summary>Attention's own products in a forward pass, per token: q·kᵀ and weights·v, 2·E·T FLOPs each, per block.</summary>
    public static double AttentionForwardPerToken(GptConfig config, int? context = null) =>
        4.0 * config.Layers * config.Embedding * (context ?? config.BlockSize);

    /// <summary>One token through the model, forward only (inference, or evaluation): 2·N + 4·L·E·T.</summary>
    public static double ForwardPerToken(GptConfig config, int? context = null) =>
        2.0 * MatmulParameters(config) + AttentionForwardPerToken(config, context);

    /// <summary>One token of training, forward and backward: 6·N + 12·L·E·T.</summary>
    public static double TrainingPerToken(GptConfig config, int? context = null) => 3 * ForwardPerToken(config, context);

    /// <summary>Training on <paramref name="tokens"/> tokens: C ≈ 6·N·D plus attention.</summary>
    public static double Training(GptConfig config, double tokens) => TrainingPerToken(config) * tokens;

    /// <summary>The tokens a compute budget buys: D = C / (FLOPs per token), i.e. about C / (6·N).</summary>
    public static double TokensFor(GptConfig config, double budget) => budget / TrainingPerToken(config);
}
