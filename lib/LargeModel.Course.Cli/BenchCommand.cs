using System.CommandLine;
using System.Diagnostics;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Session;

namespace LargeModel.Course.Cli;

/// <summary><c>course bench</c>: commands that print speed figures (never asserted in tests; read and compared).</summary>
static partial class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure and print performance figures.");
        bench.Subcommands.Add(Engine());
        bench.Subcommands.Add(Train());
        bench.Subcommands.Add(Generate());
        bench.Subcommands.Add(Tokenizer());
        bench.Subcommands.Add(Sweep());
        return bench;
    }

    /// <summary>Engine start to first cell result, and the per-cell overhead of a trivial cell.</summary>
    static Command Engine()
    {
        var cells = new Option<int>("--cells") { Description = "Trivial cells to time for the per-cell overhead.", DefaultValueFactory = _ => 100 };
        var command = new Command("engine", "Time the notebook engine: start to first result, and per-cell overhead.") { cells };
        command.SetAction(result =>
        {
            var sinceProcessStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
            var clock = Stopwatch.StartNew();
            var session = new CSharpSession();
            var sink = new NullSink();
            var first = session.ExecuteAsync("1 + 1", sink).GetAwaiter().GetResult();
            var firstResult = clock.Elapsed;
            if (!first.Succeeded) throw new InvalidOperationException(first.Error!.Summary);

            session.ExecuteAsync("int counter = 0;", sink).GetAwaiter().GetResult();
            var times = new List<double>();
            for (int i = 0; i < result.GetValue(cells); i++)
            {
                var cell = Stopwatch.StartNew();
                session.ExecuteAsync("counter++", sink).GetAwaiter().GetResult();
                times.Add(cell.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"process start to engine ready:     {sinceProcessStart.TotalMilliseconds,8:0} ms (runtime and CLI start-up)");
            Console.WriteLine($"engine start to first cell result: {firstResult.TotalMilliseconds,8:0} ms (includes Roslyn's first compilation)");
            Console.WriteLine($"trivial cell, median of {times.Count}:      {times[times.Count / 2],8:0.0} ms (p90 {times[times.Count * 9 / 10]:0.0} ms)");
            return 0;
        });
        return command;
    }

    sealed class NullSink : IOutputSink
    {
        public void Stream(string name, string text) { }
        public void Display(MimeBundle bundle, string displayId) { }
        public void UpdateDisplay(MimeBundle bundle, string displayId) { }
        public void Result(MimeBundle bundle) { }
    }
}
