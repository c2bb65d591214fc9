using System.Text;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Session;

namespace LargeModel.Course.Notebooks.Running;

/// <summary>
/// Collects a running cell's outputs into its nbformat <c>outputs</c> list: consecutive writes to one stream
/// join into one output, an updated display replaces the earlier version in place (as Jupyter shows it), and a
/// cell that prints or shows more than its limits is cut with a note instead of bloating the file.
/// </summary>
/// <remarks>
/// Stream text gathers in a buffer and reaches the JSON once per run of writes (when another output comes, or at
/// <see cref="Close"/>), so printing n lines costs O(n), not O(n²) as re-joining the text on every write would.
/// Text past <see cref="StreamLimit"/> is not stored in the notebook; with an <c>overflowFile</c> the cell's whole
/// stream text goes there, and the note says where.
/// </remarks>
sealed class CellOutputs(Cell cell, int executionCount, long limit, long streamLimit = long.MaxValue, string? overflowFile = null) : IOutputSink
{
    readonly Lock gate = new();
    readonly Dictionary<string, JsonObject> displays = [];
    readonly StringBuilder pending = new();
    JsonObject? pendingOutput;
    long size, streamSize;
    bool truncated, streamTruncated, closed;
    StreamWriter? overflow;

    public long Limit => limit;

    public long StreamLimit => streamLimit;

    public bool Truncated => truncated || streamTruncated;

    JsonArray Outputs => cell.Outputs;

    public void Stream(string name, string text)
    {
        lock (gate)
        {
            if (closed) return;
            overflow?.Write(text);
            if (streamTruncated || !Fits(text.Length)) return;
            if (streamSize + text.Length > streamLimit)
            {
                int kept = (int)Math.Max(0, streamLimit - streamSize);
                size -= text.Length - kept;
                TruncateStream(text[..kept], name, text[kept..]);
                return;
            }
            streamSize += text.Length;
            Append(name, text);
        }
    }

    void Append(string name, string text)
    {
        if (pendingOutput is null || pendingOutput["name"]?.GetValue<string>() != name)
        {
            if (pendingOutput is null && Outputs.Count > 0 && Outputs[^1] is JsonObject last
                && last["output_type"]?.GetValue<string>() == "stream" && last["name"]?.GetValue<string>() == name)
            {
                pendingOutput = last; // e.g. the runner's own note after a crash: keep joining it
                pending.Append(Text(last));
            }
            else
            {
                Materialise();
                pendingOutput = new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = "" };
                Outputs.Add(pendingOutput);
            }
        }
        pending.Append(text);
    }

    /// <summary>Writes the gathered stream text into its output, once.</summary>
    void Materialise()
    {
        if (pendingOutput is not null) pendingOutput["text"] = pending.ToString();
        pendingOutput = null;
        pending.Clear();
    }

    void TruncateStream(string kept, string name, string rest)
    {
        if (kept.Length > 0) Append(name, kept);
        streamTruncated = true;
        string? where = null;
        if (overflowFile is not null)
        {
            try
            {
                // The whole text goes beside the executed copy: what was stored, then everything from here on.
                var file = new FileStream(overflowFile, FileMode.Create, FileAccess.Write, FileShare.Read);
                overflow = new StreamWriter(file, new UTF8Encoding(false));
                foreach (var output in Outputs.OfType<JsonObject>().Where(o => o["output_type"]?.GetValue<string>() == "stream" && o != pendingOutput))
                    overflow.Write(Text(output));
                overflow.Write(pending.ToString());
                overflow.Write(rest);
                where = $"; the whole text is in {Path.GetFileName(overflowFile)} beside the executed notebook";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                overflow = null;
            }
        }
        Materialise();
        Outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = "stderr", ["text"] = OutputLimits.StreamNote(streamLimit, "the rest is not stored in the notebook" + where) });
    }

    public void Display(MimeBundle bundle, string displayId)
    {
        lock (gate)
        {
            if (closed || !Fits(bundle.Size)) return;
            Materialise();
            var output = new JsonObject
            {
                ["output_type"] = "display_data",
                ["data"] = bundle.ToJson(),
                ["metadata"] = new JsonObject(),
            };
            displays[displayId] = output;
            Outputs.Add(output);
        }
    }

    public void UpdateDisplay(MimeBundle bundle, string displayId)
    {
        lock (gate)
        {
            if (closed || !displays.TryGetValue(displayId, out var output)) return;
            long previous = output["data"]!.ToJsonString().Length;
            size -= previous;
            if (!Fits(bundle.Size)) return;
            output["data"] = bundle.ToJson();
        }
    }

    public void Result(MimeBundle bundle)
    {
        lock (gate)
        {
            if (closed || !Fits(bundle.Size)) return;
            Materialise();
            Outputs.Add(new JsonObject
            {
                ["output_type"] = "execute_result",
                ["execution_count"] = executionCount,
                ["data"] = bundle.ToJson(),
                ["metadata"] = new JsonObject(),
            });
        }
    }

    /// <summary>
    /// Ends the cell's outputs, with its error if it failed: the stream text is written into the notebook and later
    /// writes (from a thread the cell left running) are dropped, so the notebook can be saved while they happen.
    /// </summary>
    public void Close(CellError? error)
    {
        lock (gate)
        {
            if (closed) return;
            Materialise();
            if (error is not null) Outputs.Add(ErrorOutput(error));
            closed = true;
            overflow?.Dispose();
            overflow = null;
        }
    }

    JsonObject ErrorOutput(CellError error)
    {
        var traceback = new JsonArray { $"{error.Name}: {error.Message}" };
        if (error.Line is { } line) traceback.Add($"at line {line} of cell {cell.Number}");
        foreach (var frame in error.Traceback) traceback.Add(frame);
        return new JsonObject
        {
            ["output_type"] = "error",
            ["ename"] = error.Name,
            ["evalue"] = error.Message,
            ["traceback"] = traceback,
        };
    }

    bool Fits(long length)
    {
        if (truncated) return false;
        if (size + length <= limit)
        {
            size += length;
            return true;
        }
        truncated = true;
        Materialise();
        Outputs.Add(Note($"[Output truncated: this cell produced more than {limit / 1_000_000.0:0.#} million characters of output; the rest was dropped. Print less, e.g. every 100th step.]"));
        return false;
    }

    static JsonObject Note(string text) => new()
    {
        ["output_type"] = "stream",
        ["name"] = "stderr",
        ["text"] = "\n" + text + "\n",
    };

    static string Text(JsonObject stream) => stream["text"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };
}
