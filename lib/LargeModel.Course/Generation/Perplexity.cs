using static TorchSharp.torch;

namespace LargeModel.Course.Generation;

/// <summary>
/// Perplexity: exp of the mean cross-entropy per token on a text the model did not train on. It reads as "the model
/// is as unsure as if it chose uniformly among this many tokens": the vocabulary size for a model that knows
/// nothing, 1 for one that is always right.
/// </summary>
public static class Perplexity
{
    /// <summary>
    /// The perplexity of <paramref name="model"/> on <paramref name="ids"/>, read in consecutive windows of
    /// <paramref name="blockSize"/> tokens (each predicting its next tokens); every token after the first is scored once.
    /// </summary>
    public static double Of(nn.Module<Tensor, Tensor> model, IReadOnlyList<int> ids, int blockSize, int batchSize = 16)
    {
        if (ids.Count < 2) throw new ArgumentException("Perplexity needs at least two tokens.", nameof(ids));
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "The block size must be at least 1.");
        var device = model.parameters().First().device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            double totalLoss = 0;
            long totalTokens = 0;
            var windows = new List<int>();
            for (int start = 0; start + 1 < ids.Count; start += blockSize) windows.Add(start);
            foreach (var chunk in windows.Chunk(batchSize))
            {
                Interrupt.ThrowIfRequested();
                // Windows in a batch share a length; the last window of the text may be shorter, so score it alone.
                foreach (var group in chunk.GroupBy(s => Math.Min(blockSize, ids.Count - 1 - s)))
                {
                    using var scope = NewDisposeScope();
                    int length = group.Key;
                    var starts = group.ToArray();
                    var x = new long[starts.Length * length];
                    var y = new long[starts.Length * length];
                    for (int b = 0; b < starts.Length; b++)
                        for (int i = 0; i < length; i++)
                        {
                            x[b * length + i] = ids[starts[b] + i];
                            y[b * length + i] = ids[starts[b] + i + 1];
                        }
                    var logits = model.forward(tensor(x, new long[] { starts.Length, length }, device: device));
                    var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), tensor(y, device: device), reduction: nn.Reduction.Sum);
                    totalLoss += loss.item<float>();
                    totalTokens += x.Length;
                }
            }
            return Math.Exp(totalLoss / totalTokens);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
