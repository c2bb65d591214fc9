using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Display;

/// <summary>
/// One displayable value in several representations, keyed by MIME type, as Jupyter carries it: the front end
/// shows the richest one it understands. Text types hold strings; JSON types hold JSON.
/// </summary>
public sealed class MimeBundle
{
    public const string Plain = "text/plain", Html = "text/html", Markdown = "text/markdown", PlotlyJson = "application/vnd.plotly.v1+json";

    readonly Dictionary<string, JsonNode> data = new(StringComparer.Ordinal);

    public MimeBundle(string plainText) => data[Plain] = JsonValue.Create(plainText);

    public MimeBundle With(string mimeType, string text)
    {
        data[mimeType] = JsonValue.Create(text);
        return this;
    }

    public MimeBundle With(string mimeType, JsonNode json)
    {
        data[mimeType] = json;
        return this;
    }

    public IReadOnlyCollection<string> MimeTypes => data.Keys;

    public bool Has(string mimeType) => data.ContainsKey(mimeType);

    public string Text(string mimeType = Plain) => data.TryGetValue(mimeType, out var node) && node is JsonValue v ? v.GetValue<string>() : node?.ToJsonString() ?? "";

    public JsonNode? Json(string mimeType) => data.TryGetValue(mimeType, out var node) ? node : null;

    /// <summary>The nbformat / Jupyter <c>data</c> object (deep-copied so callers may attach it anywhere).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach (var (mime, value) in data) json[mime] = value.DeepClone();
        return json;
    }

    /// <summary>Approximate size in characters, to refuse outputs too large for a notebook file.</summary>
    public long Size => data.Values.Sum(v => (long)(v is JsonValue s && s.TryGetValue<string>(out var text) ? text.Length : v.ToJsonString().Length));
}
