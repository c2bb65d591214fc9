using static TorchSharp.torch;

namespace LargeModel.Course.Datasets;

/// <summary>Points scattered around a known line (or plane): y = w·x + b + noise. Lesson 01 recovers w and b.</summary>
public sealed class LinearRegressionData(Tensor x, Tensor y, float[] trueWeights, float trueBias, double noise) : Dataset(x, y)
{
    /// <summary>The w the data was made with, one per feature.</summary>
    public IReadOnlyList<float> TrueWeights { get; } = trueWeights;

    /// <summary>The b the data was made with.</summary>
    public float TrueBias { get; } = trueBias;

    /// <summary>The standard deviation of the noise: no model can get its mean squared error below about noise².</summary>
    public double Noise { get; } = noise;
}

public static partial class Synthetic
{
    /// <summary>
    /// <paramref name="samples"/> points with x drawn uniformly from [−1, 1] per feature and
    /// y = x·w + b + noise·N(0, 1). X is [n, features], Y is [n, 1].
    /// </summary>
    public static LinearRegressionData LinearRegression(int samples, float[] weights, float bias, double noise = 0.1, long seed = 0, Device? device = null)
    {
        Positive(samples, nameof(samples));
        if (weights.Length == 0) throw new ArgumentException("Give at least one weight (one per feature).", nameof(weights));
        if (noise < 0) throw new ArgumentOutOfRangeException(nameof(noise), noise, "Noise is a standard deviation and cannot be negative.");
        using var scope = NewDisposeScope();
        using var generator = NewGenerator(seed);
        var x = rand(samples, weights.Length, generator: generator) * 2 - 1;
        var w = tensor(weights).unsqueeze(1);
        var y = x.matmul(w) + bias + noise * randn(samples, 1, generator: generator);
        return new LinearRegressionData(
            x.to(OrCpu(device)).MoveToOuterDisposeScope(), y.to(OrCpu(device)).MoveToOuterDisposeScope(), (float[])weights.Clone(), bias, noise);
    }

    /// <summary>As above, with the true weights and bias themselves drawn from N(0, 1) with the same seed.</summary>
    public static LinearRegressionData LinearRegression(int samples, int features = 1, double noise = 0.1, long seed = 0, Device? device = null)
    {
        Positive(features, nameof(features));
        var truth = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - truth.NextDouble())) * Math.Cos(2 * Math.PI * truth.NextDouble()));
        var weights = Enumerable.Range(0, features).Select(_ => MathF.Round(Normal(), 2)).ToArray();
        return LinearRegression(samples, weights, MathF.Round(Normal(), 2), noise, seed, device);
    }
}
