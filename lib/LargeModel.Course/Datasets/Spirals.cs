using static TorchSharp.torch;

namespace LargeModel.Course.Datasets;

public static partial class Synthetic
{
    /// <summary>
    /// <paramref name="classes"/> spiral arms wound around the origin, one class per arm (the classic CS231n toy
    /// problem): each arm turns through about 4 radians while its radius grows from 0 to 1, and the angle is
    /// jittered by <paramref name="noise"/>. X is [classes·n, 2] float32, Y is [classes·n] int64, shuffled.
    /// </summary>
    public static Dataset Spirals(int samplesPerClass, int classes = 3, double noise = 0.2, long seed = 0, Device? device = null)
    {
        Positive(samplesPerClass, nameof(samplesPerClass));
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classification problem needs at least 2 classes.");
        using var scope = NewDisposeScope();
        using var generator = NewGenerator(seed);
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        for (int k = 0; k < classes; k++)
        {
            var radius = linspace(0, 1, samplesPerClass);
            double start = k * 2 * Math.PI / classes; // arms evenly spaced around the circle
            var angle = start + radius * 4 + noise * randn(samplesPerClass, generator: generator);
            xs.Add(stack([radius * angle.sin(), radius * angle.cos()], dim: 1));
            ys.Add(full(samplesPerClass, k, ScalarType.Int64));
        }
        var order = randperm((long)samplesPerClass * classes, generator: generator);
        return new Dataset(
            cat(xs, 0).index_select(0, order).to(OrCpu(device)).MoveToOuterDisposeScope(),
            cat(ys, 0).index_select(0, order).to(OrCpu(device)).MoveToOuterDisposeScope());
    }
}
