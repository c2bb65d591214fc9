namespace LargeModel.Course.Cli;

/// <summary>
/// The CLI's last line of defence: an unexpected exception becomes one sentence and a non-zero exit, never a
/// bare stack trace (set COURSE_DEBUG=1 to see the trace when reporting a bug).
/// </summary>
static class CliErrors
{
    public static int Run(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("COURSE_DEBUG") != "1")
        {
            Console.Error.WriteLine($"course: {e.GetBaseException().Message}");
            Console.Error.WriteLine("If this looks like a bug, run again with COURSE_DEBUG=1 and include the output in your report.");
            return 1;
        }
    }
}
