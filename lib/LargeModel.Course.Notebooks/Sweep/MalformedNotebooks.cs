using System.Text;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Sweep;

/// <summary>One generated bad input: a file name saying what is wrong, and the bytes.</summary>
public sealed record MalformedNotebook(string Name, byte[] Content, bool RunsCode);

/// <summary>
/// Generates notebooks a learner, an editor or a broken disk may hand the engine: truncated and invalid JSON, wrong
/// nbformat, fields of the wrong type, invalid UTF-8, huge files, and cells that exit the process, loop forever, recurse
/// without end, read standard input or allocate without bound. <c>course bench sweep</c> runs them all through
/// <c>course run</c>; the tests check the cheap ones in-process. Deterministic: the same list every time.
/// </summary>
public static class MalformedNotebooks
{
    public static IReadOnlyList<MalformedNotebook> Generate(bool includeSlow = true)
    {
        var list = new List<MalformedNotebook>();
        void Add(string name, string text, bool runs = false) => list.Add(new(name, Encoding.UTF8.GetBytes(text), runs));
        void AddBytes(string name, byte[] bytes) => list.Add(new(name, bytes, false));
        void AddNotebook(string name, Action<JsonObject> change, bool runs = false)
        {
            var root = Valid("Console.WriteLine(\"fine\");");
            change(root);
            Add(name, root.ToJsonString(), runs);
        }

        // Truncated files: a valid notebook cut at 60 places.
        string valid = Valid("var x = 1;\nConsole.WriteLine(x);").ToJsonString();
        for (int i = 0; i < 60; i++)
            Add($"truncated-at-{i:00}", valid[..(int)((long)valid.Length * i / 60)]);

        // Not JSON, or not an object.
        string[] notJson = ["", " ", "\n\n", "{", "}", "[", "null", "true", "42", "\"a notebook\"", "[]", "{\"cells\": [}", "{'cells': []}",
            "{\"nbformat\": 4, \"cells\": [],}", "<html></html>", "# not json", "{\"nbformat\": 4 \"cells\": []}", "{\"nbformat\": 4, \"cells\": [] } trailing",
            "\u0000\u0000\u0000", "{\"nbformat\": NaN, \"cells\": []}", "{\"nbformat\": 4, \"cells\": [/* comment */]}"];
        for (int i = 0; i < notJson.Length; i++) Add($"not-json-{i:00}", notJson[i]);
        Add("deeply-nested", "{\"nbformat\": 4, \"cells\": " + new string('[', 5000) + new string(']', 5000) + "}");

        // nbformat of the wrong version or type.
        JsonNode?[] formats = [3, 5, 0, -1, 4.5, "4", null, true, new JsonArray(4), new JsonObject(), 1e300, long.MaxValue];
        for (int i = 0; i < formats.Length; i++)
        {
            var format = formats[i]?.DeepClone();
            AddNotebook($"nbformat-{i:00}", r => r["nbformat"] = format);
        }
        AddNotebook("nbformat-missing", r => r.Remove("nbformat"));
        AddNotebook("nbformat-minor-string", r => r["nbformat_minor"] = "five");

        // cells of the wrong type, and cells that are not cells.
        JsonNode?[] cellLists = [null, "cells", 4, new JsonObject(), true];
        for (int i = 0; i < cellLists.Length; i++)
        {
            var cells = cellLists[i]?.DeepClone();
            AddNotebook($"cells-{i:00}", r => r["cells"] = cells);
        }
        AddNotebook("cells-missing", r => r.Remove("cells"));
        JsonNode?[] cellItems = [null, 1, "code", new JsonArray(), new JsonObject(), new JsonObject { ["cell_type"] = null }];
        for (int i = 0; i < cellItems.Length; i++)
        {
            var item = cellItems[i]?.DeepClone();
            AddNotebook($"cell-item-{i:00}", r => r["cells"]!.AsArray().Add(item));
        }

        // cell_type missing, unknown or of the wrong type.
        JsonNode?[] types = ["Code", "python", "", "heading", "raw", 1, true, new JsonArray("code"), new JsonObject { ["type"] = "code" }];
        for (int i = 0; i < types.Length; i++)
        {
            var type = types[i]?.DeepClone();
            AddNotebook($"cell-type-{i:00}", r => Cell(r)["cell_type"] = type, runs: true);
        }
        AddNotebook("cell-type-missing", r => Cell(r).Remove("cell_type"));

        // source as a string, a list, a number and worse.
        JsonNode?[] sources = ["Console.WriteLine(\"a string\");", new JsonArray("Console.Write(", "\"a list\");"), 42, 4.2, true, null,
            new JsonObject { ["code"] = "1" }, new JsonArray(1, 2, 3), new JsonArray(new JsonArray("nested")), new JsonArray((JsonNode?)null, "1"),
            new JsonArray(), "", new string('\n', 10_000), "\u0000\u0001\u0002", "\uFEFF1 + 1", "1 + 1 // \uD800 lone surrogate"];
        for (int i = 0; i < sources.Length; i++)
        {
            var source = sources[i]?.DeepClone();
            AddNotebook($"source-{i:00}", r => Cell(r)["source"] = source, runs: true);
        }
        AddNotebook("source-missing", r => Cell(r).Remove("source"), runs: true);

        // metadata, tags, outputs and counts of the wrong type.
        JsonNode?[] odd = [null, "text", 7, new JsonArray(), true];
        foreach (var (field, values) in new[] { ("metadata", odd), ("outputs", odd), ("execution_count", new JsonNode?[] { "one", -5, 1.5, new JsonObject(), long.MaxValue }) })
            for (int i = 0; i < values.Length; i++)
            {
                var value = values[i]?.DeepClone();
                AddNotebook($"cell-{field}-{i:00}", r => Cell(r)[field] = value, runs: true);
            }
        JsonNode?[] tags = ["parameters", 1, new JsonArray(1, 2), new JsonArray((JsonNode?)null), new JsonObject(), new JsonArray("parameters", "parameters")];
        for (int i = 0; i < tags.Length; i++)
        {
            var tag = tags[i]?.DeepClone();
            AddNotebook($"tags-{i:00}", r => Cell(r)["metadata"] = new JsonObject { ["tags"] = tag }, runs: true);
        }
        JsonNode?[] notebookMetadata = [null, "x", 1, new JsonArray(), new JsonObject { ["kernelspec"] = "csharp" },
            new JsonObject { ["kernelspec"] = new JsonObject { ["language"] = 5 } },
            new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = new JsonArray() } } },
            new JsonObject { ["kernelspec"] = new JsonObject { ["language"] = "python" } }];
        for (int i = 0; i < notebookMetadata.Length; i++)
        {
            var metadata = notebookMetadata[i]?.DeepClone();
            AddNotebook($"notebook-metadata-{i:00}", r => r["metadata"] = metadata, runs: true);
        }
        JsonNode?[] kernelNames = [5, "fsharp", "python", "", new JsonArray(), "html", "markdown"];
        for (int i = 0; i < kernelNames.Length; i++)
        {
            var kernel = kernelNames[i]?.DeepClone();
            AddNotebook($"cell-language-{i:00}", r => Cell(r)["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = kernel } }, runs: true);
        }
        AddNotebook("parameters-cell-bad", r => { Cell(r)["metadata"] = new JsonObject { ["tags"] = new JsonArray("parameters") }; Cell(r)["source"] = "int steps = ; // quick: banana"; }, runs: true);

        // Invalid UTF-8 and other encodings.
        byte[] prefix = Encoding.UTF8.GetBytes(valid[..(valid.IndexOf("var x", StringComparison.Ordinal))]);
        byte[] suffix = Encoding.UTF8.GetBytes(valid[(valid.IndexOf("var x", StringComparison.Ordinal))..]);
        byte[][] badBytes = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xFE, 0xFF]];
        for (int i = 0; i < badBytes.Length; i++) AddBytes($"invalid-utf8-{i:00}", [.. prefix, .. badBytes[i], .. suffix]);
        AddBytes("utf16", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(valid)).ToArray());
        AddBytes("utf8-bom", Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(valid)).ToArray());
        AddBytes("binary", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());

        // Very large inputs.
        AddNotebook("huge-source", r => Cell(r)["source"] = "// " + new string('x', 20_000_000) + "\n1", runs: true);
        AddNotebook("many-cells", r => { var cells = r["cells"]!.AsArray(); for (int i = 0; i < 20_000; i++) cells.Add(new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = $"cell {i}" }); });
        AddNotebook("huge-stored-outputs", r => Cell(r)["outputs"] = new JsonArray(Enumerable.Range(0, 2000).Select(i => (JsonNode)new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = new string('o', 10_000) }).ToArray()), runs: true);

        // Cells that misbehave when run: each must end as one clear failure, and the run goes on.
        string[] behaviours =
        [
            "Environment.Exit(0);", "Environment.Exit(3);", "Environment.Exit(-1);",
            "Console.ReadLine()", "Console.Read()", "Console.In.ReadToEnd()",
            "new int[int.MaxValue]", "new string('x', int.MaxValue)", "new long[1L << 40]", "Array.CreateInstance(typeof(double), int.MaxValue, int.MaxValue)",
            "for (int i = 0; i < 3_000_000; i++) Console.Write(\"spam \");", "display(new string('d', 30_000_000));",
            "int Down(int n) => Down(n + 1) + 1;\nDown(0)", "throw new Exception(\"plain\");", "throw null!;",
            "new System.Threading.Thread(() => throw new InvalidOperationException(\"from a thread\")).Start(); Thread.Sleep(2000);",
            "Console.Out.Close(); Console.WriteLine(\"after close\");", "Console.SetOut(TextWriter.Null); Console.WriteLine(\"hidden\");",
            "Directory.SetCurrentDirectory(\"/\");", "#r \"nuget: ../../../../escaped-package, 1.0.0\"", "#r \"/no/such/assembly.dll\"",
            "#load \"/no/such/file.csx\"", "this is not C#", "}", "var = ;", "System.Runtime.InteropServices.Marshal.ReadByte(IntPtr.Zero)",
        ];
        for (int i = 0; i < behaviours.Length; i++)
            Add($"cell-behaviour-{i:00}", Valid(behaviours[i], "Console.WriteLine(\"the cell after\");").ToJsonString(), runs: true);
        if (includeSlow)
        {
            Add("infinite-loop", Valid("while (true) { }").ToJsonString(), runs: true);
            Add("infinite-loop-printing", Valid("while (true) Console.WriteLine(\"again\");").ToJsonString(), runs: true);
            Add("infinite-loop-checking", Valid("while (true) LargeModel.Course.Interrupt.ThrowIfRequested();").ToJsonString(), runs: true);
            Add("sleep-forever", Valid("Thread.Sleep(Timeout.Infinite);").ToJsonString(), runs: true);
        }
        return list;
    }

    static JsonObject Cell(JsonObject root) => root["cells"]!.AsArray()[0]!.AsObject();

    /// <summary>A small valid notebook with the given code cells.</summary>
    static JsonObject Valid(params string[] cells) => new()
    {
        ["cells"] = new JsonArray(cells.Select((code, i) => (JsonNode)new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = $"cell-{i}",
            ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" } },
            ["outputs"] = new JsonArray(),
            ["source"] = code,
        }).ToArray()),
        ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = ".net-csharp", ["language"] = "C#", ["display_name"] = ".NET (C#)" } },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
    };
}
