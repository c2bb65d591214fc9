using static TorchSharp.torch;

namespace LargeModel.Course.Datasets;

public static partial class Synthetic
{
    /// <summary>
    /// Two interleaving half circles, class 0 on top and class 1 below, shifted so that no straight line separates
    /// them: the smallest problem where logistic regression fails and an MLP succeeds. X is [n, 2] float32,
    /// Y is [n] int64; class 0 gets the extra point when n is odd.
    /// </summary>
    public static Dataset TwoMoons(int samples, double noise = 0.1, long seed = 0, Device? device = null)
    {
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, "Two moons need at least 2 points.");
        using var scope = NewDisposeScope();
        using var generator = NewGenerator(seed);
        long upper = (samples + 1) / 2, lower = samples - upper;

        var angleUpper = linspace(0, Math.PI, upper);
        var angleLower = linspace(0, Math.PI, lower);
        var top = stack([angleUpper.cos(), angleUpper.sin()], dim: 1);                   // centred at (0, 0)
        var bottom = stack([1 - angleLower.cos(), 0.5 - angleLower.sin()], dim: 1);      // centred at (1, 0.5), upside down
        var x = cat([top, bottom], dim: 0) + noise * randn(samples, 2, generator: generator);
        var y = cat([zeros(upper, ScalarType.Int64), ones(lower, ScalarType.Int64)]);

        // Shuffle so that a plain slice of the data is not all one class.
        var order = randperm(samples, generator: generator);
        return new Dataset(
            x.index_select(0, order).to(OrCpu(device)).MoveToOuterDisposeScope(),
            y.index_select(0, order).to(OrCpu(device)).MoveToOuterDisposeScope());
    }
}
