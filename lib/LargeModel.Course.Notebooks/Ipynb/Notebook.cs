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
            // Strict UTF-8 (a byte-order mark still selects UTF-16 or UTF-32): a damaged file is reported, not read
            // with its bad bytes silently replaced.
            text = File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException e)
        {
            throw new NotebookFormatException(path, $"it is not valid UTF-8 text (at byte {e.Index}). Was it saved in another encoding, or damaged?");
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

        CheckTypes(root, path);
        var list = new List<Cell>();
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell || cell["cell_type"] is not JsonValue type || type.GetValueKind() != JsonValueKind.String)
                throw new NotebookFormatException(path, $"cell {i + 1} is not a cell object with a \"cell_type\" string.");
            CheckCell(cell, i + 1, path);
            list.Add(new Cell(cell, i));
        }
        return new Notebook(root, list, path);
    }

    /// <summary>
    /// The fields this engine reads must have the types nbformat gives them, so that a hand-edited file fails here with
    /// the field named, not later with an exception from deep inside the run.
    /// </summary>
    static void CheckTypes(JsonObject root, string? path)
    {
        Expect(root, "metadata", JsonValueKind.Object, "the notebook's \"metadata\"", path);
        Expect(root["metadata"], "kernelspec", JsonValueKind.Object, "metadata.kernelspec", path);
        Expect(root["metadata"]?["kernelspec"], "language", JsonValueKind.String, "metadata.kernelspec.language", path);
        Expect(root["metadata"], "polyglot_notebook", JsonValueKind.Object, "metadata.polyglot_notebook", path);
        Expect(root["metadata"]?["polyglot_notebook"], "kernelInfo", JsonValueKind.Object, "metadata.polyglot_notebook.kernelInfo", path);
        Expect(root["metadata"]?["polyglot_notebook"]?["kernelInfo"], "defaultKernelName", JsonValueKind.String, "metadata.polyglot_notebook.kernelInfo.defaultKernelName", path);
    }

    static void CheckCell(JsonObject cell, int number, string? path)
    {
        string where = $"cell {number}";
        if (cell["source"] is JsonArray lines ? lines.Any(l => l is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            : cell["source"] is { } source && source.GetValueKind() != JsonValueKind.String)
            throw new NotebookFormatException(path, $"{where}'s \"source\" is neither text nor a list of lines of text.");
        Expect(cell, "metadata", JsonValueKind.Object, $"{where}'s \"metadata\"", path);
        if (cell["metadata"]?["tags"] is { } tags && (tags is not JsonArray list || list.Any(t => t is not JsonValue v || v.GetValueKind() != JsonValueKind.String)))
            throw new NotebookFormatException(path, $"{where}'s tags are not a list of words.");
        Expect(cell["metadata"], "polyglot_notebook", JsonValueKind.Object, $"{where}'s metadata.polyglot_notebook", path);
        Expect(cell["metadata"]?["polyglot_notebook"], "kernelName", JsonValueKind.String, $"{where}'s metadata.polyglot_notebook.kernelName", path);
        Expect(cell["metadata"], "dotnet_interactive", JsonValueKind.Object, $"{where}'s metadata.dotnet_interactive", path);
        Expect(cell["metadata"]?["dotnet_interactive"], "language", JsonValueKind.String, $"{where}'s metadata.dotnet_interactive.language", path);
        Expect(cell, "outputs", JsonValueKind.Array, $"{where}'s \"outputs\"", path);
    }

    /// <summary>Absent or null is fine (the engine uses a default); present with another type is an error.</summary>
    static void Expect(JsonNode? parent, string name, JsonValueKind kind, string what, string? path)
    {
        if (parent is not JsonObject obj || obj[name] is not { } value || value.GetValueKind() == kind) return;
        throw new NotebookFormatException(path, $"{what} should be {Article(kind)} but is {Article(value.GetValueKind())}. Was the file edited by hand?");
    }

    static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => "null",
    };

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
