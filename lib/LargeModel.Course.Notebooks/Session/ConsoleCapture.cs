using System.Text;

namespace LargeModel.Course.Notebooks.Session;

/// <summary>
/// Routes <see cref="Console"/> output and input to whichever cell is running. Installed once per process,
/// because Console is process-wide; a session executes one cell at a time.
/// </summary>
sealed class ConsoleCapture
{
    static readonly Lock gate = new();
    static ConsoleCapture? installed;
    static IOutputSink? current;

    public static ConsoleCapture Install()
    {
        lock (gate)
        {
            if (installed is not null) return installed;
            installed = new ConsoleCapture();
            Console.SetOut(new SinkWriter("stdout", installed.OriginalOut = Console.Out));
            Console.SetError(new SinkWriter("stderr", Console.Error));
            Console.SetIn(new SinkReader());
            return installed;
        }
    }

    /// <summary>The process's real stdout, for a host that talks to its parent over it.</summary>
    public TextWriter OriginalOut { get; private set; } = TextWriter.Null;

    public static IDisposable Route(IOutputSink sink)
    {
        current = sink;
        return new Restore(sink);
    }

    sealed class Restore(IOutputSink sink) : IDisposable
    {
        public void Dispose()
        {
            Console.Out.Flush();
            Console.Error.Flush();
            // A cell that outlived its run (given up on after a timeout) must not unhook the cell running now.
            Interlocked.CompareExchange(ref current, null, sink);
        }
    }

    sealed class SinkWriter(string name, TextWriter fallback) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            if (current is { } sink) sink.Stream(name, value);
            else fallback.Write(value);
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void WriteLine(string? value) => Write((value ?? "") + "\n");

        public override void Flush()
        {
            if (current is null) fallback.Flush();
        }
    }

    sealed class SinkReader : TextReader
    {
        public override string? ReadLine()
        {
            var line = current?.ReadLine("");
            return line ?? throw new InvalidOperationException(
                "This cell reads from standard input (Console.ReadLine), but nobody can type here: the notebook is running headless or the front end does not allow input. Set the value in the code instead.");
        }

        public override int Read() => throw new InvalidOperationException(
            "This cell reads from standard input (Console.Read), which notebooks do not support. Use Console.ReadLine in a front end that allows input, or set the value in the code.");

        public override string ReadToEnd() => ReadLine() ?? "";
    }
}
