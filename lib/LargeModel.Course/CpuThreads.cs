using System.Runtime.InteropServices;
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

    /// <summary>How libtorch's OpenMP threads wait between operations (<c>OMP_WAIT_POLICY</c>), as the native side sees it.</summary>
    public static string WaitPolicy => (OperatingSystem.IsWindows() ? null : Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY"))) ?? "default";

    /// <summary>
    /// Asks OpenMP to let idle threads sleep instead of spinning, unless the user chose a policy. A spinning
    /// thread holds its core, so whenever anything else runs (the browser, VS Code, a second notebook, CI's
    /// parallel tests) torch's threads fight over the cores and small models train 10 to 20 times slower;
    /// sleeping costs a few microseconds per operation on an idle machine. Must run before libtorch loads,
    /// which reads the setting once; .NET's own SetEnvironmentVariable does not reach native code on Unix.
    /// </summary>
    internal static void PreferPassiveWaiting()
    {
        if (OperatingSystem.IsWindows()) return; // libtorch on Windows uses Intel OpenMP, which yields by itself after a short spin
        if (string.IsNullOrEmpty(Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY")))) SetEnv("OMP_WAIT_POLICY", "PASSIVE", 1);
    }

    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
