using static TorchSharp.torch;

namespace LargeModel.Course.Datasets;

/// <summary>
/// Inputs X (one row per example) and targets Y (one entry per example), on one device. Regression targets are
/// float columns [n, 1]; class labels are int64 [n], as <c>cross_entropy</c> expects.
/// </summary>
public class Dataset : IDisposable
{
    public Dataset(Tensor x, Tensor y)
    {
        if (x.dim() == 0 || y.dim() == 0 || x.shape[0] != y.shape[0])
            throw new ArgumentException($"X and Y need one row per example: X is [{string.Join(", ", x.shape)}], Y is [{string.Join(", ", y.shape)}].");
        if (x.device_type != y.device_type || x.device_index != y.device_index)
            throw new ArgumentException($"X is on {x.device} but Y is on {y.device}; put both on the same device.");
        X = x;
        Y = y;
    }

    public Tensor X { get; }
    public Tensor Y { get; }

    /// <summary>The number of examples.</summary>
    public long Count => X.shape[0];

    public Device Device => X.device;

    /// <summary>The examples at <paramref name="indices"/>, in that order (a copy).</summary>
    public Dataset Subset(ReadOnlySpan<long> indices)
    {
        using var index = tensor(indices.ToArray(), device: Device);
        return new Dataset(X.index_select(0, index), Y.index_select(0, index));
    }

    /// <summary>The same examples on another device.</summary>
    public Dataset To(Device device) => new(X.to(device), Y.to(device));

    public override string ToString() =>
        $"{Count} examples: X [{string.Join(", ", X.shape)}] {X.dtype}, Y [{string.Join(", ", Y.shape)}] {Y.dtype} on {Device}";

    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
        GC.SuppressFinalize(this);
    }
}
