using LargeModel.Course.Native;
using TorchSharp;

namespace LargeModel.Course;

/// <summary>The device a lesson runs on, and why that one.</summary>
public sealed record DeviceChoice(torch.Device Device, string Reason)
{
    public override string ToString() => $"Using {Device.type.ToString().ToUpperInvariant()} ({Device}): {Reason}";
}

/// <summary>
/// Picks the device in one call: a GPU (CUDA) when there is one, else the CPU. Every lesson runs on both.
/// </summary>
/// <remarks>
/// Override with the <c>request</c> argument or the <c>COURSE_DEVICE</c> environment variable:
/// <c>auto</c> (default), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>. Asking for CUDA where there is none is an
/// error, not a silent fall back: a learner who asked for the GPU wants to know they are not on it.
/// </remarks>
public static class Devices
{
    public const string Variable = "COURSE_DEVICE";

    /// <summary>Chooses the device and prints one line saying which and why.</summary>
    public static torch.Device Best(string? request = null)
    {
        var choice = Choose(request);
        Console.WriteLine(choice);
        return choice.Device;
    }

    /// <summary>Chooses the device without printing; <see cref="DeviceChoice.Reason"/> says why.</summary>
    public static DeviceChoice Choose(string? request = null)
    {
        TorchNative.Load();
        string source = request is not null ? "requested" : $"{Variable}={Environment.GetEnvironmentVariable(Variable)}";
        request ??= Environment.GetEnvironmentVariable(Variable);
        request = string.IsNullOrWhiteSpace(request) ? "auto" : request.Trim().ToLowerInvariant();

        if (request == "cpu")
            return new(torch.CPU, $"CPU {source}");

        bool cuda = CudaAvailable(out string why);
        if (request == "auto")
            return cuda
                ? new(torch.CUDA, $"a CUDA GPU is available ({torch.cuda.device_count()} device(s))")
                : new(torch.CPU, $"no CUDA GPU: {why}");

        if (request == "cuda" || request.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda)
                throw new InvalidOperationException(
                    $"CUDA was {source}, but it is not available: {why}. Use {Variable}=cpu (or auto), or build with -p:CourseBackend=cuda on a machine with an NVIDIA GPU.");
            int index = request == "cuda" ? 0 : ParseIndex(request);
            int count = torch.cuda.device_count();
            if (index >= count)
                throw new InvalidOperationException($"{request} was {source}, but this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1}).");
            return new(torch.device(DeviceType.CUDA, index), $"CUDA {source}");
        }
        throw new ArgumentException($"Unknown device '{request}' ({source}). Use auto, cpu, cuda or cuda:N.");
    }

    static int ParseIndex(string request) =>
        int.TryParse(request.AsSpan(5), out int index) && index >= 0
            ? index
            : throw new ArgumentException($"Unknown device '{request}'. Use auto, cpu, cuda or cuda:N.");

    /// <summary>
    /// Whether CUDA works here. Scripts and notebooks must initialise the CUDA backend explicitly before asking,
    /// which is what this does; with the CPU build it answers no, with the reason.
    /// </summary>
    public static bool CudaAvailable(out string why)
    {
        try
        {
            if (torch.TryInitializeDeviceType(DeviceType.CUDA) && torch.cuda.is_available())
            {
                why = "CUDA initialised";
                return true;
            }
            why = CourseBuild.Backend == "cuda"
                ? "the CUDA build found no usable NVIDIA GPU or driver"
                : "this is the CPU build of the course (build with -p:CourseBackend=cuda for GPUs)";
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or DllNotFoundException)
        {
            why = $"the CUDA backend did not load ({e.Message.Split('\n')[0]})";
        }
        return false;
    }
}
