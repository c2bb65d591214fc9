using TorchSharp;

namespace LargeModel.Course;

/// <summary>How many CPU threads torch uses for one operation.</summary>
/// <remarks>
/// libtorch's default is the number of physical cores it sees, but in containers and CI with a CPU quota it
/// sees the whole machine and oversubscribes. The default here is therefore the smaller of libtorch's choice
/// and the cores .NET says this process may use. <c>COURSE_THREADS</c> or <see cref="Configure"/> overrides.
/// </remarks>
public static class CpuThreads
{
    public const string Variable = "COURSE_THREADS";

    /// <summary>Sets the thread count (argument, else <c>COURSE_THREADS</c>, else the default) and returns it.</summary>
    public static int Configure(int? count = null)
    {
        if (count is null && int.TryParse(Environment.GetEnvironmentVariable(Variable), out int fromEnvironment))
            count = fromEnvironment;
        if (count is < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The CPU thread count must be at least 1 (check {Variable}).");
        int chosen = count ?? Math.Max(1, Math.Min(torch.get_num_threads(), Environment.ProcessorCount));
        torch.set_num_threads(chosen);
        return chosen;
    }

    /// <summary>The thread count torch uses now.</summary>
    public static int Current => torch.get_num_threads();
}
