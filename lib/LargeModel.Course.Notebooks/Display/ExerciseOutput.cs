using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Display;

/// <summary>
/// How exercise verdicts look in a notebook: a coloured line for the learner, and the verdict as JSON under a
/// MIME type of the course's own, which front ends ignore and <c>course run</c> and <c>course grade</c> read.
/// </summary>
public static class ExerciseOutput
{
    public const string VerdictJson = "application/vnd.largemodel-course.verdict+json";

    // Colours chosen to read on light and dark backgrounds alike; the text carries the verdict too.
    static string Colour(Verdict verdict) => verdict switch
    {
        Verdict.Correct => "#2e9e44",
        Verdict.Wrong => "#d9534f",
        Verdict.NotAttempted => "#8a8f98",
        _ => "#e08a00",
    };

    static string Mark(Verdict verdict) => verdict switch
    {
        Verdict.Correct => "✔",
        Verdict.Wrong => "✘",
        Verdict.NotAttempted => "○",
        _ => "⚠",
    };

    public static MimeBundle Format(ExerciseVerdict verdict)
    {
        string detail = verdict.Verdict switch
        {
            Verdict.Correct => "",
            Verdict.NotAttempted => " Hint: " + verdict.Message,
            Verdict.Error => " Your code threw " + verdict.Message,
            _ => " " + verdict.Message,
        };
        string html = $"<div class=\"course-verdict\" style=\"border-left: 4px solid {Colour(verdict.Verdict)}; padding: 2px 8px\">" +
                      $"<span style=\"color: {Colour(verdict.Verdict)}\">{Mark(verdict.Verdict)}</span> <b>{WebUtility.HtmlEncode(verdict.Exercise)}</b>: " +
                      $"{ExerciseVerdict.Describe(verdict.Verdict)}.{WebUtility.HtmlEncode(detail)}</div>";
        return new MimeBundle(verdict.ToString()).With(MimeBundle.Html, html).With(VerdictJson, ToJson(verdict));
    }

    public static MimeBundle Format(ExerciseSummary summary)
    {
        if (summary.Verdicts.Count == 0) return new MimeBundle(summary.ToString());
        var html = new StringBuilder("<table class=\"course-verdicts\"><thead><tr><th style=\"text-align:left\">Exercise</th><th style=\"text-align:left\">Verdict</th></tr></thead><tbody>");
        foreach (var v in summary.Verdicts)
            html.Append($"<tr><td>{WebUtility.HtmlEncode(v.Exercise)}</td><td><span style=\"color: {Colour(v.Verdict)}\">{Mark(v.Verdict)}</span> {ExerciseVerdict.Describe(v.Verdict)}</td></tr>");
        html.Append($"</tbody></table><p>{summary.Correct} of {summary.Verdicts.Count} correct.</p>");
        return new MimeBundle(summary.ToString()).With(MimeBundle.Html, html.ToString());
    }

    public static JsonObject ToJson(ExerciseVerdict verdict) => new()
    {
        ["exercise"] = verdict.Exercise,
        ["verdict"] = ExerciseVerdict.Describe(verdict.Verdict),
        ["message"] = verdict.Message,
    };

    /// <summary>The verdicts an executed cell's outputs carry (a check cell shows one).</summary>
    public static IEnumerable<ExerciseVerdict> Read(IEnumerable<JsonNode?> outputs)
    {
        foreach (var output in outputs)
        {
            if (output?["data"]?[VerdictJson] is not JsonObject json) continue;
            string name = json["exercise"]?.GetValue<string>() ?? "";
            string said = json["verdict"]?.GetValue<string>() ?? "";
            var verdict = Enum.GetValues<Verdict>().FirstOrDefault(v => ExerciseVerdict.Describe(v) == said, Verdict.Error);
            yield return new ExerciseVerdict(name, verdict, json["message"]?.GetValue<string>() ?? "");
        }
    }
}
