using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using LargeModel.Course.Notebooks.Kernel;
using LargeModel.Course.Notebooks.Running;
using LargeModel.Course.Notebooks.Sweep;

namespace LargeModel.Course.Cli;

/// <summary>
/// <c>course bench sweep</c>: every generated bad notebook through <c>course run</c>, and bad messages through a
/// kernel, with figures: inputs tried, crashes (a failure without one clear message), hangs, source files changed,
/// and whether the kernel stayed alive with its variables.
/// </summary>
static partial class BenchCommand
{
    static Command Sweep()
    {
        var timeout = new Option<double>("--cell-timeout") { Description = "Seconds a cell may run in the sweep.", DefaultValueFactory = _ => 10 };
        var quick = new Option<bool>("--no-slow") { Description = "Leave out the cells that only a timeout stops (infinite loops)." };
        var command = new Command("sweep", "Run generated malformed notebooks through course run and bad messages through the kernel; print the figures.") { timeout, quick };
        command.SetAction(result =>
        {
            var notebooks = NotebookSweep(TimeSpan.FromSeconds(result.GetValue(timeout)), !result.GetValue(quick));
            var kernel = KernelSweep();
            Console.WriteLine();
            Console.WriteLine($"notebooks: {notebooks.Inputs} inputs, {notebooks.Ran} ran, {notebooks.Clear} stopped with one clear message, " +
                              $"{notebooks.Crashes} crashes, {notebooks.Hangs} hangs, {notebooks.Changed} source files changed ({notebooks.Seconds:0} s)");
            Console.WriteLine($"kernel:    {kernel.Inputs} messages, {kernel.Crashes} crashes, {kernel.Hangs} hangs, variables kept: {(kernel.Kept ? "yes" : "NO")}");
            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, load average {KernelBench.LoadAverage()}");
            return notebooks.Crashes + notebooks.Hangs + notebooks.Changed + kernel.Crashes + kernel.Hangs == 0 && kernel.Kept ? 0 : 1;
        });
        return command;
    }

    sealed record NotebookFigures(int Inputs, int Ran, int Clear, int Crashes, int Hangs, int Changed, double Seconds);

    static NotebookFigures NotebookSweep(TimeSpan cellTimeout, bool slow)
    {
        string folder = Directory.CreateTempSubdirectory("course-sweep-").FullName;
        try
        {
            var inputs = MalformedNotebooks.Generate(slow);
            var paths = new List<string>();
            var hashes = new Dictionary<string, string>();
            for (int i = 0; i < inputs.Count; i++)
            {
                string path = Path.Combine(folder, $"{i:000}-{inputs[i].Name}.ipynb");
                File.WriteAllBytes(path, inputs[i].Content);
                paths.Add(path);
                hashes[path] = Convert.ToHexString(SHA256.HashData(inputs[i].Content));
            }
            var request = new RunRequest { OutputFolder = Path.Combine(folder, "executed"), Options = new RunOptions { CellTimeout = cellTimeout } };
            var clock = Stopwatch.StartNew();
            var summaries = new IsolatedRunner(RunCommand.ChildProcess, Console.Out).Run(paths, request);
            double seconds = clock.Elapsed.TotalSeconds;

            // A hang: longer than the timeout, the grace and the runner's own silence limit allow.
            var limit = cellTimeout + request.Options.InterruptGrace + TimeSpan.FromSeconds(90);
            int hangs = summaries.Count(s => s.Seconds > limit.TotalSeconds);
            // One clear message: one line, no stack trace.
            bool Clear(string failure) => !failure.Contains('\n') && !failure.Contains("   at ", StringComparison.Ordinal);
            var unclear = summaries.Where(s => s.Failure is { } f && !Clear(f)).ToList();
            foreach (var s in unclear) Console.WriteLine($"UNCLEAR {s.Notebook}: {s.Failure}");
            int changed = paths.Count(p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) != hashes[p]);
            return new NotebookFigures(inputs.Count, summaries.Count(s => s.Succeeded), summaries.Count(s => s.Failure is { } f && Clear(f)),
                unclear.Count + (inputs.Count - summaries.Count), hangs, changed, seconds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static (int Inputs, int Crashes, int Hangs, bool Kept) KernelSweep()
    {
        using var kernel = KernelBench.StartKernel(out var client, out var process);
        client.Execute("var kept = 42;", TimeSpan.FromSeconds(120));
        var messages = MalformedMessages.Generate(client.Signer, client.Session);

        int crashes = 0, hangs = 0;
        foreach (var (what, channel, frames) in messages)
        {
            client.SendFrames(channel, frames);
            bool alive = !process.HasExited && client.Heartbeat([1, 2, 3], TimeSpan.FromSeconds(30));
            string id = client.Send(Channel.Shell, "kernel_info_request", []);
            bool answers = alive && client.ReplyTo(id, Channel.Shell, TimeSpan.FromSeconds(60)) is not null;
            if (process.HasExited) crashes++;
            else if (!answers) hangs++;
            Console.WriteLine($"kernel <- {what,-36} {(process.HasExited ? "CRASHED" : answers ? "alive, answers" : "HANG")}");
            if (process.HasExited) break;
        }
        bool kept = !process.HasExited && client.Execute("kept", TimeSpan.FromSeconds(60)).Iopub
            .Any(m => m.Type == "execute_result" && m.Content["data"]?["text/plain"]?.GetValue<string>() == "42");
        return (messages.Count, crashes, hangs, kept);
    }
}
