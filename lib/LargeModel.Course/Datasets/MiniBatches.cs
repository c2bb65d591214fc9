using static TorchSharp.torch;

namespace LargeModel.Course.Datasets;

/// <summary>One mini-batch: its inputs and targets, and where it sits in the epoch.</summary>
public sealed record Batch(Tensor X, Tensor Y, int Index, int Count)
{
    /// <summary>Examples in this batch (the last batch of an epoch may be smaller).</summary>
    public long Size => X.shape[0];
}

/// <summary>
/// Cuts a dataset into mini-batches, reshuffled every epoch. The order of epoch e depends only on (seed, e), so a run
/// resumed at epoch e sees exactly the batches the uninterrupted run would have seen.
/// </summary>
/// <remarks>
/// A batch is valid until the enumeration moves on: the next batch replaces it and the previous one is disposed,
/// like the current row of a reader. That keeps memory flat without the caller disposing anything; clone a batch
/// to keep it.
/// </remarks>
public sealed class MiniBatches(Dataset data, int batchSize, bool shuffle = true, long seed = 0, bool dropLast = false)
{
    public Dataset Data { get; } = data;

    public int BatchSize { get; } = batchSize >= 1 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");

    /// <summary>Batches per epoch: the last, partial batch counts unless it is dropped.</summary>
    public int Count => (int)(dropLast ? Data.Count / BatchSize : (Data.Count + BatchSize - 1) / BatchSize);

    /// <summary>The batches of epoch <paramref name="epoch"/> (any number; lessons count from 1).</summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        long n = Data.Count;
        long[]? order = shuffle ? Shuffle.Permutation(n, unchecked(seed * 1_000_003 + epoch)) : null;
        Batch? previous = null;
        try
        {
            for (int b = 0; b < Count; b++)
            {
                long start = (long)b * BatchSize;
                long size = Math.Min(BatchSize, n - start);
                Batch batch;
                if (order is null)
                    batch = new Batch(Data.X.narrow(0, start, size), Data.Y.narrow(0, start, size), b, Count);
                else
                {
                    using var index = tensor(order.AsSpan((int)start, (int)size).ToArray(), device: Data.Device);
                    batch = new Batch(Data.X.index_select(0, index), Data.Y.index_select(0, index), b, Count);
                }
                Dispose(previous);
                previous = batch;
                yield return batch;
            }
        }
        finally
        {
            Dispose(previous);
        }
    }

    static void Dispose(Batch? batch)
    {
        batch?.X.Dispose();
        batch?.Y.Dispose();
    }
}
