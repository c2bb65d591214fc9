using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Session;

namespace LargeModel.Course.Notebooks.Running;

/// <summary>
/// Collects a running cell's outputs into its nbformat <c>outputs</c> list: consecutive writes to one stream
/// join into one output, an updated display replaces the earlier version in place (as Jupyter shows it), and a
/// cell that prints more than <see cref="Limit"/> characters is cut with a note instead of bloating the file.
/// </summary>
sealed class CellOutputs(Cell cell, int executionCount, long limit) : IOutputSink
{
    readonly Lock gate = new();
    readonly Dictionary<string, JsonObject> displays = [];
    long size;
    bool truncated;

    public long Limit => limit;

    public bool Truncated => truncated;

    JsonArray Outputs => cell.Outputs;

    public void Stream(string name, string text)
    {
        lock (gate)
        {
            if (!Fits(text.Length)) return;
            if (Outputs.Count > 0 && Outputs[^1] is JsonObject last && last["output_type"]?.GetValue<string>() == "stream" && last["name"]?.GetValue<string>() == name)
            {
                last["text"] = Text(last) + text;
                return;
            }
            Outputs.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = text });
        }
    }

    public void Display(MimeBundle bundle, string displayId)
    {
        lock (gate)
        {
            if (!Fits(bundle.Size)) return;
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
            if (!displays.TryGetValue(displayId, out var output)) return;
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
            if (!Fits(bundle.Size)) return;
            Outputs.Add(new JsonObject
            {
                ["output_type"] = "execute_result",
                ["execution_count"] = executionCount,
                ["data"] = bundle.ToJson(),
                ["metadata"] = new JsonObject(),
            });
        }
    }

    public void Error(CellError error)
    {
        lock (gate)
        {
            var traceback = new JsonArray { $"{error.Name}: {error.Message}" };
            if (error.Line is { } line) traceback.Add($"at line {line} of cell {cell.Number}");
            foreach (var frame in error.Traceback) traceback.Add(frame);
            Outputs.Add(new JsonObject
            {
                ["output_type"] = "error",
                ["ename"] = error.Name,
                ["evalue"] = error.Message,
                ["traceback"] = traceback,
            });
        }
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
        Outputs.Add(new JsonObject
        {
            ["output_type"] = "stream",
            ["name"] = "stderr",
            ["text"] = $"\n[Output truncated: this cell produced more than {limit / 1_000_000.0:0.#} million characters of output; the rest was dropped. Print less, e.g. every 100th step.]\n",
        });
        return false;
    }

    static string Text(JsonObject stream) => stream["text"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue v => v.GetValue<string>(),
        _ => "",
    };
}
