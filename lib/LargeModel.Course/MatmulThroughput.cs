using System.Diagnostics;
using TorchSharp;

namespace LargeModel.Course;

/// <summary>
/// The matrix-multiply throughput of a device, in GFLOP/s: the ceiling against which training speed is judged
/// (a training step is mostly matrix multiplies, so a model reaching 40% of this is using the machine well).
/// </summary>
public static class MatmulThroughput
{
    /// <summary>Multiplies two <paramref name="size"/>² float32 matrices repeatedly for about <paramref name="seconds"/>.</summary>
    public static double Measure(torch.Device device, int size = 1024, double seconds = 1.0)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var a = torch.randn(size, size, device: device);
        var b = torch.randn(size, size, device: device);
        for (int i = 0; i < 2; i++) a.matmul(b).Dispose(); // warm up the kernels and thread pool

        long runs = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            a.matmul(b).Dispose();
            runs++;
            if (device.type == DeviceType.CUDA) torch.cuda.synchronize();
        }
        while (clock.Elapsed.TotalSeconds < seconds);
        return 2.0 * size * size * size * runs / clock.Elapsed.TotalSeconds / 1e9;
    }
}
