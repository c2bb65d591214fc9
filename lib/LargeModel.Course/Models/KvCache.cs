using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// The keys and values every layer has already computed during generation. Without it, each new token makes the
/// model recompute keys and values for the whole context; with it, a step feeds only the new token, appends its key
/// and value here, and attends over everything stored.
/// </summary>
/// <remarks>
/// The buffers are allocated once at the full context length (<c>BlockSize</c>) and filled in place, so a step copies
/// one position per layer instead of concatenating ever longer tensors. They live outside any dispose scope and are
/// released by <see cref="Dispose"/>.
/// </remarks>
public sealed class KvCache : IDisposable
{
    readonly Tensor[] keys;
    readonly Tensor[] values;

    public KvCache(GptConfig config, long batch, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        Capacity = config.BlockSize;
        keys = new Tensor[config.Layers];
        values = new Tensor[config.Layers];
        for (int layer = 0; layer < config.Layers; layer++)
        {
            keys[layer] = zeros(new long[] { batch, config.Heads, Capacity, config.HeadSize }, dtype, device).DetachFromDisposeScope();
            values[layer] = zeros(new long[] { batch, config.Heads, Capacity, config.HeadSize }, dtype, device).DetachFromDisposeScope();
        }
    }

    /// <summary>Positions stored so far (the same for every layer once a forward pass has finished).</summary>
    public int Length { get; private set; }

    /// <summary>The most positions the cache can hold: the model's context length.</summary>
    public int Capacity { get; }

    /// <summary>
    /// Writes the new keys and values <c>(B, heads, Tnew, head size)</c> of <paramref name="layer"/> after the stored
    /// ones and returns views of everything stored, <c>(B, heads, Length + Tnew, head size)</c>.
    /// </summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        long added = newKeys.shape[2];
        if (Length + added > Capacity)
            throw new InvalidOperationException($"The KV cache holds {Capacity} positions; {Length} are stored and {added} more do not fit.");
        using (no_grad())
        {
            keys[layer].narrow(2, Length, added).copy_(newKeys);
            values[layer].narrow(2, Length, added).copy_(newValues);
        }
        return (keys[layer].narrow(2, 0, Length + added), values[layer].narrow(2, 0, Length + added));
    }

    /// <summary>Called once all layers have appended: the new positions now count as stored.</summary>
    public void Advance(int positions) => Length += positions;

    /// <summary>Forgets every stored position (the buffers are reused).</summary>
    public void Reset() => Length = 0;

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
