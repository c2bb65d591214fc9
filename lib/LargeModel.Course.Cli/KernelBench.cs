using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Kernel;

namespace LargeModel.Course.Cli;

/// <summary>
/// <c>course kernel bench</c>: starts the kernel as Jupyter would and prints how long it takes to become idle, the
/// median round trip of a trivial cell, how fast a printing loop's output reaches the client, and how long an
/// interrupted loop takes to answer. Figures, not assertions: a benchmark, not a test.
/// </summary>
static class KernelBench
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "How many trivial execute requests to time.", DefaultValueFactory = _ => 100 };
        var command = new Command("bench", "Measure kernel start-up to idle and the round trip of a trivial cell.") { count };
        command.SetAction(result => Run(Math.Max(1, result.GetValue(count))));
        return command;
    }

    internal static string LoadAverage() => OperatingSystem.IsLinux() && File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>A kernel process started as Jupyter starts it, with a ready client; disposing ends both and removes the folder.</summary>
    /// <param name="client">The connected client.</param>
    /// <param name="process">The kernel's process.</param>
    /// <param name="log">Collects the kernel's own log (its standard error), when given.</param>
    internal static IDisposable StartKernel(out KernelClient client, out Process process, System.Text.StringBuilder? log = null)
    {
        string folder = Directory.CreateTempSubdirectory("course-kernel-bench-").FullName;
        string file = Path.Combine(folder, "kernel.json");
        var connection = ConnectionFile.CreateLocal();
        connection.Write(file);
        var command = KernelSpec.CourseCommand();
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = folder };
        foreach (var argument in command.Skip(1).Concat(["kernel", "start", file])) start.ArgumentList.Add(argument);
        var started = Process.Start(start) ?? throw new InvalidOperationException("The kernel process did not start.");
        started.ErrorDataReceived += (_, e) => { if (log is not null) lock (log) log.AppendLine(e.Data); };
        started.OutputDataReceived += (_, _) => { };
        started.BeginErrorReadLine();
        started.BeginOutputReadLine();
        var connected = new KernelClient(connection);
        var stop = new Stop(started, connected, folder);
        try
        {
            connected.WaitReady(TimeSpan.FromSeconds(120));
        }
        catch
        {
            if (log is not null) lock (log) Console.Error.WriteLine($"The kernel's log:\n{log}");
            stop.Dispose();
            throw;
        }
        (client, process) = (connected, started);
        return stop;
    }

    sealed class Stop(Process process, KernelClient client, string folder) : IDisposable
    {
        public void Dispose()
        {
            client.Dispose();
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            process.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    static int Run(int count)
    {
        var kernelLog = new System.Text.StringBuilder();
        var clock = Stopwatch.StartNew();
        using var kernel = StartKernel(out var client, out var process, kernelLog);
        try
        {
            double startup = clock.Elapsed.TotalMilliseconds;

            clock.Restart();
            var (first, _) = client.Execute("1 + 1", TimeSpan.FromSeconds(60));
            double firstCell = clock.Elapsed.TotalMilliseconds;
            if (first?.Content["status"]?.GetValue<string>() != "ok") throw new InvalidOperationException("The first cell failed: " + first?.Content.ToJsonString());

            var times = new List<double>(count);
            for (int i = 0; i < count; i++)
            {
                clock.Restart();
                var (reply, _) = client.Execute("1 + 1", TimeSpan.FromSeconds(30));
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (reply?.Content["status"]?.GetValue<string>() != "ok") throw new InvalidOperationException($"Cell {i} failed.");
            }
            times.Sort();
            Console.WriteLine($"kernel start to idle (kernel_info answered, iopub idle):  {startup,8:0} ms");
            Console.WriteLine($"first cell (compiler warm-up included):                {firstCell,8:0} ms");
            Console.WriteLine($"trivial execute_request round trip, median of {count,3}:    {times[count / 2],8:0.0} ms  (min {times[0]:0.0}, max {times[^1]:0.0})");

            // Output: a loop printing short lines, timed until idle (every stream message received), as `course run` is.
            foreach (int lines in new[] { 5_000, 20_000, 200_000 })
            {
                clock.Restart();
                var (reply, iopub) = client.Execute($"for (int i = 0; i < {lines}; i++) Console.WriteLine($\"line {{i}}\");", TimeSpan.FromMinutes(5));
                double seconds = clock.Elapsed.TotalSeconds;
                if (reply?.Content["status"]?.GetValue<string>() != "ok") throw new InvalidOperationException($"The {lines}-line cell failed.");
                long received = iopub.Where(m => m.Type == "stream").Sum(m => (long)m.Content["text"]!.GetValue<string>().Count(c => c == '\n'));
                Console.WriteLine($"print {lines,7:N0} short lines, to idle:                 {seconds * 1000,8:0} ms  ({lines / seconds:N0} lines/s; {received:N0} lines shown before the cap)");
            }

            // Interrupt: a loop that checks for it, stopped from the control channel; time from the request to the cell's reply.
            string running = client.Send(Channel.Shell, "execute_request", new JsonObject
            {
                ["code"] = "while (true) { LargeModel.Course.Interrupt.ThrowIfRequested(); }",
                ["silent"] = false,
            });
            Thread.Sleep(1000);
            clock.Restart();
            client.Send(Channel.Control, "interrupt_request", []);
            var interrupted = client.ReplyTo(running, Channel.Shell, TimeSpan.FromSeconds(60));
            double stopMs = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"interrupt of a loop that checks for it, to its reply:   {stopMs,8:0} ms  ({interrupted?.Content["ename"]?.GetValue<string>() ?? "no reply"})");
            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, load average {LoadAverage()}");

            client.Send(Channel.Control, "shutdown_request", new JsonObject { ["restart"] = false });
            if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
            return 0;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            lock (kernelLog) Console.Error.WriteLine($"The kernel's log:\n{kernelLog}");
            throw;
        }
    }
}
