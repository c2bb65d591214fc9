using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Ipynb;

/// <summary>
/// A Jupyter notebook (nbformat 4). The JSON tree is kept whole, so whatever this engine does not understand
/// (other tools' metadata, attachments, widget state) is written back exactly as it was read.
/// </summary>
public sealed class Notebook
{
    static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1, // Jupyter's own layout, so a saved notebook diffs cleanly against one saved by Jupyter
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public JsonObject Root { get; }
    public List<Cell> Cells { get; }

    /// <summary>Where the notebook was read from, for messages and for resolving <c>#r</c> and <c>#load</c> paths.</summary>
    public string? Path { get; init; }

    Notebook(JsonObject root, List<Cell> cells, string? path)
    {
        Root = root;
        Cells = cells;
        Path = path;
    }

    public string Name => Path is null ? "notebook" : System.IO.Path.GetFileName(Path);

    public JsonObject Metadata => Root["metadata"] as JsonObject ?? (JsonObject)(Root["metadata"] = new JsonObject());

    /// <summary>The language of code cells that do not name their own (Polyglot's default kernel, else the kernelspec's).</summary>
    public string DefaultLanguage =>
        CellLanguage.Normalise(
            Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>()
            ?? Metadata["kernelspec"]?["language"]?.GetValue<string>()
            ?? "csharp");

    public static Notebook Load(string path)
    {
        if (!File.Exists(path))
            throw new NotebookFormatException(path, "the file does not exist. Check the path (course run takes a notebook or a folder of notebooks).");
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (IOException e)
        {
            throw new NotebookFormatException(path, $"it could not be read: {e.Message}");
        }
        return Parse(text, path);
    }

    public static Notebook Parse(string json, string? path = null)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new NotebookFormatException(path, $"it is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}): {FirstSentence(e.Message)} Was it saved half-way, or edited by hand?");
        }
        if (node is not JsonObject root)
            throw new NotebookFormatException(path, "it is JSON but not a notebook (the top level must be an object with \"cells\").");
        int major = root["nbformat"] is JsonValue v && v.TryGetValue<int>(out int n) ? n : 0;
        if (major != 4)
            throw new NotebookFormatException(path, major == 0
                ? "it has no \"nbformat\" field, so it is not a Jupyter notebook."
                : $"it is nbformat {major}; this engine reads nbformat 4. Open and save it in Jupyter to upgrade it.");
        if (root["cells"] is not JsonArray cells)
            throw new NotebookFormatException(path, "it has no \"cells\" list.");

        var list = new List<Cell>();
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell || cell["cell_type"] is not JsonValue)
                throw new NotebookFormatException(path, $"cell {i + 1} is not a cell object with a \"cell_type\".");
            list.Add(new Cell(cell, i));
        }
        return new Notebook(root, list, path);
    }

    /// <summary>A deep copy, e.g. to execute without touching the notebook that was read.</summary>
    public Notebook Clone() => Parse(ToJson(), Path);

    public string ToJson()
    {
        // Cells may have been added or removed through Cells: the JSON array follows the list.
        var array = new JsonArray();
        foreach (var cell in Cells)
        {
            cell.Json.Parent?.AsArray().Remove(cell.Json);
            array.Add(cell.Json);
        }
        Root["cells"] = array;
        return Root.ToJsonString(WriteOptions) + "\n";
    }

    /// <summary>
    /// Writes the notebook so that a reader never sees half a file: a temporary file beside the target,
    /// then a rename over it. An interrupted save leaves the previous version intact.
    /// </summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Removes outputs and execution counts: the form in which notebooks are committed.</summary>
    public void ClearOutputs()
    {
        foreach (var cell in Cells.Where(c => c.Type == CellType.Code))
        {
            cell.Json["outputs"] = new JsonArray();
            cell.Json["execution_count"] = null;
            (cell.Json["metadata"] as JsonObject)?.Remove("execution");
        }
    }

    static string FirstSentence(string message) => message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.') + ".";
}

/// <summary>A notebook that cannot be read, with the reason in words a learner can act on.</summary>
public sealed class NotebookFormatException(string? path, string reason)
    : Exception($"{(path is null ? "The notebook" : $"{System.IO.Path.GetFileName(path)}")} cannot be opened: {reason}")
{
    public string? NotebookPath { get; } = path;
}
