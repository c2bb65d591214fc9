using System.CommandLine;

namespace LargeModel.Course.Cli;

/// <summary><c>course doctor</c>: the first thing a learner runs.</summary>
static class DoctorCommand
{
    public static Command Create()
    {
        var device = new Option<string?>("--device") { Description = "auto (default), cpu, cuda or cuda:N; overrides COURSE_DEVICE." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for torch; overrides COURSE_THREADS." };
        var seconds = new Option<double>("--bench-seconds") { Description = "How long to measure matrix-multiply throughput.", DefaultValueFactory = _ => 1.0 };
        var command = new Command("doctor", "Check that .NET, TorchSharp and the device work, and measure matrix-multiply speed.")
        {
            device, threads, seconds,
        };
        command.SetAction(result => Print(Doctor.Run(result.GetValue(device), result.GetValue(threads), result.GetValue(seconds))));
        return command;
    }

    static int Print(IReadOnlyList<DoctorCheck> checks)
    {
        int width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
            Console.WriteLine($"{(check.Ok ? "ok  " : "FAIL")}  {check.Name.PadRight(width)}  {check.Found}");
        var failed = checks.FirstOrDefault(c => !c.Ok);
        if (failed is null)
        {
            Console.WriteLine("All good: open notebooks/00-setup.ipynb, or run the course with `course run notebooks`.");
            return 0;
        }
        Console.Error.WriteLine($"What to do: {failed.Advice ?? $"{failed.Name} failed."}");
        return 1;
    }
}
