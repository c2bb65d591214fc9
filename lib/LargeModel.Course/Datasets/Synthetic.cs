using static TorchSharp.torch;

namespace LargeModel.Course.Datasets;

/// <summary>
/// Data made in code from a seed: the same seed gives the same data on every machine and every device, and the
/// truth behind it is known, so a lesson can show that a model recovers it.
/// </summary>
/// <remarks>
/// Every generator draws from its own <see cref="Generator"/> on the CPU and only then moves the result to the
/// device: the data does not depend on the device, and making data does not disturb <c>torch.manual_seed</c>.
/// </remarks>
public static partial class Synthetic
{
    static Generator NewGenerator(long seed) => new(unchecked((ulong)seed), CPU);

    static Device OrCpu(Device? device) => device ?? CPU;

    static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }
}
