using LargeModel.Course.Models;
using static TorchSharp.torch;

namespace LargeModel.Course.Generation;

/// <summary>
/// Autoregressive generation: run the model, pick a next token from the last position's logits, append it, repeat.
/// </summary>
/// <remarks>
/// Named TextGenerator rather than Generator because lessons import <c>static TorchSharp.torch</c>, which already
/// has a <c>Generator</c> (the random-number generator).
/// </remarks>
public static class TextGenerator
{
    /// <summary>
    /// Continues <paramref name="prompt"/> <see cref="SamplingOptions.NumSequences"/> times, <see cref="SamplingOptions.MaxNewTokens"/>
    /// tokens each, and returns the sequences (prompt included). <paramref name="onToken"/> receives each step's new
    /// tokens (one per sequence) as they are produced, for streaming output.
    /// </summary>
    /// <param name="model">Any module mapping ids <c>(B, T)</c> to logits <c>(B, T, V)</c>. The KV cache is used for a
    /// <see cref="Gpt"/>; other models (bigram, LSTM) recompute their context every step.</param>
    /// <param name="contextLength">How many recent tokens the model reads; defaults to a GPT's block size (no limit otherwise).</param>
    /// <remarks>
    /// With the cache, the first step reads the prompt and every later step feeds only the token just chosen.
    /// Once the context is full the window slides: the cache is refilled from the last BlockSize tokens, exactly what
    /// recomputation reads, so both modes produce the same tokens.
    /// </remarks>
    public static int[][] Generate(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> prompt, SamplingOptions? options = null,
        Action<int[]>? onToken = null, int? contextLength = null)
    {
        options ??= new SamplingOptions();
        if (prompt.Count == 0) throw new ArgumentException("The prompt needs at least one token (e.g. a newline's id).", nameof(prompt));
        if (options.NumSequences < 1) throw new ArgumentException("NumSequences must be at least 1.", nameof(options));
        var gpt = model as Gpt;
        int context = contextLength ?? gpt?.Config.BlockSize ?? int.MaxValue;
        bool useCache = options.UseCache && gpt is not null;

        var device = model.parameters().First().device;
        int batch = options.NumSequences;
        var sequences = Enumerable.Range(0, batch).Select(_ => new List<int>(prompt)).ToArray();
        using var generator = options.Seed is long seed && !options.IsGreedy ? new Generator((ulong)seed, device) : null;
        using var cache = useCache ? new KvCache(gpt!.Config, batch, device) : null;

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (int step = 0; step < options.MaxNewTokens; step++)
            {
                Interrupt.ThrowIfRequested();
                using var scope = NewDisposeScope();
                Tensor logits;
                if (cache is not null)
                {
                    int length = sequences[0].Count;
                    bool fresh = cache.Length == 0 || cache.Length >= Math.Min(context, cache.Capacity) || cache.Length != length - 1;
                    if (fresh)
                    {
                        cache.Reset();
                        logits = gpt!.forward(Window(sequences, context, device), cache);
                    }
                    else
                    {
                        logits = gpt!.forward(Window(sequences, 1, device), cache);
                    }
                }
                else
                {
                    logits = model.forward(Window(sequences, context, device));
                }
                var next = Sampling.Next(logits.select(1, -1), options, generator).to(ScalarType.Int32).cpu().data<int>().ToArray();
                for (int i = 0; i < batch; i++) sequences[i].Add(next[i]);
                onToken?.Invoke(next);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return sequences.Select(s => s.ToArray()).ToArray();
    }

    /// <summary>The last <paramref name="length"/> tokens of each sequence as ids <c>(B, ≤ length)</c>.</summary>
    static Tensor Window(List<int>[] sequences, int length, Device device)
    {
        int take = Math.Min(length, sequences[0].Count);
        var ids = new long[sequences.Length * take];
        for (int b = 0; b < sequences.Length; b++)
            for (int i = 0; i < take; i++)
                ids[b * take + i] = sequences[b][sequences[b].Count - take + i];
        return tensor(ids, new long[] { sequences.Length, take }, device: device);
    }
}
