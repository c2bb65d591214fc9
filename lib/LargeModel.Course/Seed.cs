using TorchSharp;

namespace LargeModel.Course;

/// <summary>Reproducible runs: one call seeds torch and the .NET random numbers the course uses.</summary>
public static class Seed
{
    /// <summary>
    /// The .NET generator for data shuffles and synthetic data. .NET's <see cref="System.Random.Shared"/>
    /// cannot be seeded, so course code draws from this one instead.
    /// </summary>
    public static Random Random { get; private set; } = new(0);

    /// <summary>The seed of the last <see cref="All"/> call.</summary>
    public static long Current { get; private set; }

    /// <summary>Seeds torch (CPU and, when initialised, CUDA generators) and <see cref="Random"/>.</summary>
    public static void All(long seed)
    {
        torch.manual_seed(seed);
        Random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        Current = seed;
    }
}
