using System.Text;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Display;

/// <summary>
/// JSON has no NaN or Infinity, yet a diverging loss produces them, and some serialisers write them as bare
/// words that break every JSON reader downstream (nbformat, Jupyter clients, plotly). They become null,
/// which plotly draws as a gap: exactly what a diverged point should look like.
/// </summary>
public static class JsonSafety
{
    public static string ReplaceNonFinite(string json)
    {
        if (!json.Contains("NaN", StringComparison.Ordinal) && !json.Contains("Infinity", StringComparison.Ordinal)) return json;
        var result = new StringBuilder(json.Length);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                result.Append(c);
                if (c == '\\' && i + 1 < json.Length) result.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            int length = Match(json, i, "NaN") ? 3 : Match(json, i, "Infinity") ? 8 : Match(json, i, "-Infinity") ? 9 : 0;
            if (length > 0)
            {
                result.Append("null");
                i += length - 1;
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }

    /// <summary>
    /// Serialisers that avoid bare NaN write it as the string "NaN" instead; inside data arrays plotly would then
    /// treat the whole axis as text. Those strings become null as well.
    /// </summary>
    public static JsonNode WithoutNonFinite(JsonNode node)
    {
        switch (node)
        {
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var s) && s is "NaN" or "Infinity" or "-Infinity") array[i] = null;
                    else if (array[i] is { } child) WithoutNonFinite(child);
                }
                break;
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                    if (child is not null) WithoutNonFinite(child);
                break;
        }
        return node;
    }

    static bool Match(string text, int at, string word) => string.CompareOrdinal(text, at, word, 0, word.Length) == 0;
}
