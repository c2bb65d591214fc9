using System.Text;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Session;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// A running cell's outputs, sent to the front end on iopub as they happen. Text written to stdout or stderr is
/// gathered for a few milliseconds, so a loop printing a character at a time sends a handful of messages, not
/// thousands; it is always sent before any other output, so the order the cell produced is kept. Past
/// <see cref="OutputLimits.StreamPerCell"/> characters a note replaces the rest.
/// </summary>
sealed class KernelOutputSink : IOutputSink, IDisposable
{
    static readonly TimeSpan StreamDelay = TimeSpan.FromMilliseconds(50);

    readonly JupyterKernel kernel;
    readonly JupyterMessage request;
    readonly bool silent, allowStdin;
    readonly Lock gate = new();
    readonly StringBuilder stdout = new(), stderr = new();
    readonly Timer timer;
    string lastStream = "stdout";
    long streamed;
    bool disposed, cut;

    public KernelOutputSink(JupyterKernel kernel, JupyterMessage request, bool silent, bool allowStdin)
    {
        this.kernel = kernel;
        this.request = request;
        this.silent = silent;
        this.allowStdin = allowStdin;
        timer = new Timer(_ => Flush());
    }

    public int ExecutionCount { get; set; }

    public void Stream(string name, string text)
    {
        lock (gate)
        {
            if (cut) return;
            if (name != lastStream) FlushLocked();
            lastStream = name;
            // Past the limit one note goes out instead of the rest: a runaway print loop must not flood the front end.
            if (streamed + text.Length > OutputLimits.StreamPerCell)
            {
                text = text[..(int)(OutputLimits.StreamPerCell - streamed)];
                cut = true;
            }
            streamed += text.Length;
            (name == "stderr" ? stderr : stdout).Append(text);
            if (cut)
            {
                FlushLocked();
                stderr.Append(OutputLimits.StreamNote(OutputLimits.StreamPerCell, "the rest is not shown"));
                FlushLocked();
                return;
            }
            if (disposed) FlushLocked(); // output from a cell that outlived its reply goes out at once
            else timer.Change(StreamDelay, Timeout.InfiniteTimeSpan);
        }
    }

    public void Display(MimeBundle bundle, string displayId) => Publish("display_data", Bundle(bundle, displayId));

    public void UpdateDisplay(MimeBundle bundle, string displayId) => Publish("update_display_data", Bundle(bundle, displayId));

    public void Result(MimeBundle bundle)
    {
        if (silent) return;
        var content = Bundle(bundle, null);
        content["execution_count"] = ExecutionCount;
        Publish("execute_result", content);
    }

    public string? ReadLine(string prompt)
    {
        if (!allowStdin) return null;
        Flush();
        return kernel.RequestInput(request, prompt);
    }

    /// <summary>Sends any text still gathered.</summary>
    public void Flush()
    {
        lock (gate) FlushLocked();
    }

    void Publish(string type, JsonObject content)
    {
        lock (gate)
        {
            FlushLocked();
            kernel.Publish(type, content, request);
        }
    }

    void FlushLocked()
    {
        foreach (var (name, text) in new[] { ("stdout", stdout), ("stderr", stderr) })
        {
            if (text.Length == 0) continue;
            kernel.Publish("stream", new JsonObject { ["name"] = name, ["text"] = text.ToString() }, request);
            text.Clear();
        }
    }

    static JsonObject Bundle(MimeBundle bundle, string? displayId)
    {
        var content = new JsonObject { ["data"] = bundle.ToJson(), ["metadata"] = new JsonObject() };
        if (displayId is not null) content["transient"] = new JsonObject { ["display_id"] = displayId };
        return content;
    }

    public void Dispose()
    {
        lock (gate)
        {
            FlushLocked();
            disposed = true;
            timer.Dispose();
        }
    }
}
