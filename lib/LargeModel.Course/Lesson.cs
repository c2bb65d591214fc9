using LargeModel.Course.Native;
using TorchSharp;

namespace LargeModel.Course;

/// <summary>The first call of every notebook: loads torch, picks the device, sets threads and the seed, and says so.</summary>
public static class Lesson
{
    /// <summary>
    /// Prepares a lesson and returns the device to put tensors on. One line of output tells the learner what
    /// they are running on, so a slow lesson is never a mystery.
    /// </summary>
    public static torch.Device Start(long seed = 42, string? device = null)
    {
        var native = TorchNative.Load();
        var choice = Devices.Choose(device);
        int threads = CpuThreads.Configure();
        Seed.All(seed);
        string fix = native.Patched ? "; TorchSharp's native library was patched for this system's libstdc++" : "";
        Console.WriteLine($"{choice}. {threads} CPU thread(s), seed {seed}{fix}.");
        return choice.Device;
    }
}
