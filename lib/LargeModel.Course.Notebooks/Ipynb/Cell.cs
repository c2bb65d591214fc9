using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Ipynb;

public enum CellType { Code, Markdown, Raw }

/// <summary>One cell, backed by its JSON object so unknown fields survive a round trip.</summary>
public sealed class Cell
{
    internal Cell(JsonObject json, int index)
    {
        Json = json;
        Index = index;
    }

    public JsonObject Json { get; }

    /// <summary>Position in the notebook as read (0-based); messages show it 1-based.</summary>
    public int Index { get; }

    public int Number => Index + 1;

    public CellType Type => Json["cell_type"]?.GetValue<string>() switch
    {
        "code" => CellType.Code,
        "markdown" => CellType.Markdown,
        _ => CellType.Raw,
    };

    /// <summary>The cell's text. nbformat allows a string or a list of lines; both read the same.</summary>
    public string Source
    {
        get => Json["source"] switch
        {
            JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
            JsonValue text => text.GetValue<string>(),
            _ => "",
        };
        set => Json["source"] = SplitLines(value);
    }

    /// <summary>The nbformat 4.5 cell id, stable across edits: how graders match a learner's cell to the course's.</summary>
    public string? Id => Json["id"]?.GetValue<string>();

    public JsonObject Metadata => Json["metadata"] as JsonObject ?? (JsonObject)(Json["metadata"] = new JsonObject());

    public IReadOnlyList<string> Tags =>
        (Metadata["tags"] as JsonArray)?.Select(t => t?.GetValue<string>() ?? "").ToList() ?? [];

    /// <summary>
    /// The cell's language: Polyglot's <c>polyglot_notebook.kernelName</c>, the legacy
    /// <c>dotnet_interactive.language</c>, a <c>#!lang</c> magic on the first line, else the notebook's default.
    /// </summary>
    public string Language(string notebookDefault)
    {
        if (Type == CellType.Markdown) return "markdown";
        var named = Metadata["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
            ?? Metadata["dotnet_interactive"]?["language"]?.GetValue<string>();
        var firstLine = Source.Split('\n', 2)[0].Trim();
        if (firstLine.StartsWith("#!", StringComparison.Ordinal) && CellLanguage.IsLanguageMagic(firstLine[2..]))
            named = firstLine[2..];
        return CellLanguage.Normalise(named ?? notebookDefault);
    }

    public JsonArray Outputs => Json["outputs"] as JsonArray ?? (JsonArray)(Json["outputs"] = new JsonArray());

    internal static JsonArray SplitLines(string text)
    {
        var array = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            array.Add(text[start..end]);
            start = end;
        }
        return array;
    }
}

/// <summary>Names of cell languages as Polyglot and Jupyter write them.</summary>
public static class CellLanguage
{
    static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["csharp"] = "csharp",
        ["c#"] = "csharp",
        ["cs"] = "csharp",
        [".net-csharp"] = "csharp",
        ["markdown"] = "markdown",
        ["md"] = "markdown",
        ["html"] = "html",
        ["fsharp"] = "fsharp",
        ["f#"] = "fsharp",
        ["pwsh"] = "pwsh",
        ["powershell"] = "pwsh",
        ["javascript"] = "javascript",
        ["js"] = "javascript",
        ["sql"] = "sql",
        ["kql"] = "kql",
        ["mermaid"] = "mermaid",
        ["value"] = "value",
        ["python"] = "python",
    };

    public static string Normalise(string name) => Aliases.TryGetValue(name.Trim(), out var known) ? known : name.Trim().ToLowerInvariant();

    internal static bool IsLanguageMagic(string word) => Aliases.ContainsKey(word.Trim());
}
