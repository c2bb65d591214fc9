using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Plots;

namespace LargeModel.Course.Notebooks.Grading;

/// <summary>
/// The grades of a class: a console table (one learner a row, one exercise a column), and CSV, JSON and an HTML
/// page with the pass rate of every exercise as a chart, for an instructor to keep or open offline.
/// </summary>
public static class GradeReport
{
    static string Key(GradeResult r, ExerciseVerdict v) => $"{r.Lesson} · {v.Exercise}";

    static List<string> Columns(IReadOnlyList<GradeResult> results) =>
        results.SelectMany(r => r.Verdicts.Select(v => Key(r, v))).Distinct().ToList();

    static string Mark(Verdict verdict) => verdict switch
    {
        Verdict.Correct => "correct",
        Verdict.Wrong => "wrong",
        Verdict.NotAttempted => "-",
        _ => "error",
    };

    /// <summary>For one submission: a line per exercise with its verdict and message.</summary>
    public static string Table(GradeResult result)
    {
        if (result.Problem is not null) return $"{result.Submission.Path}: {result.Problem}";
        int width = Math.Max(8, result.Verdicts.Select(v => v.Exercise.Length).DefaultIfEmpty(0).Max());
        var lines = new List<string> { $"{result.Lesson}: {result.Verdicts.Count(v => v.Verdict == Verdict.Correct)} of {result.Verdicts.Count} correct", "", $"{"Exercise".PadRight(width)}  {"Verdict",-13}  Message" };
        lines.AddRange(result.Verdicts.Select(v => $"{v.Exercise.PadRight(width)}  {ExerciseVerdict.Describe(v.Verdict),-13}  {v.Message}"));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>For a class: learner × exercise, then a line per submission that could not be graded.</summary>
    public static string ClassTable(IReadOnlyList<GradeResult> results)
    {
        var columns = Columns(results);
        var graded = results.Where(r => r.Problem is null).ToList();
        int learnerWidth = Math.Max(7, graded.Select(r => r.Submission.Learner.Length).DefaultIfEmpty(0).Max());
        var widths = columns.Select(c => Math.Max(c.Length, 7)).ToList();
        var lines = new List<string> { $"{"Learner".PadRight(learnerWidth)}  {string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i])))}  Correct" };
        foreach (var r in graded)
        {
            var cells = columns.Select((c, i) => (r.Verdicts.FirstOrDefault(v => Key(r, v) == c) is { } v ? Mark(v.Verdict) : "").PadRight(widths[i]));
            lines.Add($"{r.Submission.Learner.PadRight(learnerWidth)}  {string.Join("  ", cells)}  {r.Verdicts.Count(v => v.Verdict == Verdict.Correct)}/{r.Verdicts.Count}");
        }
        foreach (var r in results.Where(r => r.Problem is not null))
            lines.Add($"{r.Submission.Learner}: not graded: {r.Problem}");
        return string.Join(Environment.NewLine, lines);
    }

    public static string Csv(IReadOnlyList<GradeResult> results)
    {
        var csv = new StringBuilder("learner,notebook,lesson,exercise,verdict,message\n");
        foreach (var r in results)
        {
            if (r.Problem is not null)
            {
                csv.AppendLine(string.Join(',', Quote(r.Submission.Learner), Quote(r.Submission.Path), Quote(r.Lesson ?? ""), "", "not graded", Quote(r.Problem)));
                continue;
            }
            foreach (var v in r.Verdicts)
                csv.AppendLine(string.Join(',', Quote(r.Submission.Learner), Quote(r.Submission.Path), Quote(r.Lesson ?? ""), Quote(v.Exercise), ExerciseVerdict.Describe(v.Verdict), Quote(v.Message)));
        }
        return csv.ToString();
    }

    static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Json(IReadOnlyList<GradeResult> results)
    {
        var array = new JsonArray();
        foreach (var r in results)
        {
            array.Add(new JsonObject
            {
                ["learner"] = r.Submission.Learner,
                ["notebook"] = r.Submission.Path,
                ["lesson"] = r.Lesson,
                ["graded"] = r.Problem is null,
                ["problem"] = r.Problem,
                ["exercises"] = new JsonArray(r.Verdicts.Select(v => (JsonNode)ExerciseOutput.ToJson(v)).ToArray()),
            });
        }
        return new JsonObject { ["submissions"] = array }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The pass rate of each exercise among the graded submissions, in the order of the columns.</summary>
    public static IReadOnlyList<(string Exercise, double PassRate)> PassRates(IReadOnlyList<GradeResult> results)
    {
        var graded = results.Where(r => r.Problem is null).ToList();
        return Columns(results).Select(c =>
        {
            var verdicts = graded.SelectMany(r => r.Verdicts.Where(v => Key(r, v) == c)).ToList();
            return (c, verdicts.Count == 0 ? 0 : (double)verdicts.Count(v => v.Verdict == Verdict.Correct) / verdicts.Count);
        }).ToList();
    }

    public static string Html(IReadOnlyList<GradeResult> results)
    {
        var rates = PassRates(results);
        var chart = Plotly.NET.CSharp.Chart.Column<double, string, string>(
                values: rates.Select(r => 100 * r.PassRate).ToArray(), Keys: rates.Select(r => r.Exercise).ToArray(), Name: "correct")
            .WithTitle("Share of the class with each exercise correct")
            .WithAxisTitles("exercise", "% correct");
        string plot = PlotlyOutput.Format(chart, includeLibrary: true).Text(MimeBundle.Html);

        var columns = Columns(results);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Grades</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px} table{border-collapse:collapse} td,th{border:1px solid #bbb;padding:4px 8px;text-align:left} ")
            .Append(".correct{color:#2e9e44} .wrong{color:#d9534f} .error{color:#e08a00} .not-attempted{color:#8a8f98}")
            .Append("</style></head><body><h1>Grades</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p>{results.Count(r => r.Problem is null)} submission(s) graded, {results.Count(r => r.Problem is not null)} not graded. Checks are the course's own; hover a verdict for the check's message.</p>");
        html.Append("<table><thead><tr><th>Learner</th>");
        foreach (var c in columns) html.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        html.Append("<th>Correct</th></tr></thead><tbody>");
        foreach (var r in results.Where(r => r.Problem is null))
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(r.Submission.Learner)).Append("</td>");
            foreach (var c in columns)
            {
                var v = r.Verdicts.FirstOrDefault(x => Key(r, x) == c);
                string describe = v is null ? "" : ExerciseVerdict.Describe(v.Verdict);
                html.Append(CultureInfo.InvariantCulture, $"<td class=\"{describe.Replace(' ', '-')}\" title=\"{WebUtility.HtmlEncode(v?.Message ?? "")}\">{describe}</td>");
            }
            html.Append(CultureInfo.InvariantCulture, $"<td>{r.Verdicts.Count(v => v.Verdict == Verdict.Correct)}/{r.Verdicts.Count}</td></tr>");
        }
        html.Append("</tbody></table>");
        var problems = results.Where(r => r.Problem is not null).ToList();
        if (problems.Count > 0)
        {
            html.Append("<h2>Not graded</h2><ul>");
            foreach (var r in problems) html.Append("<li><b>").Append(WebUtility.HtmlEncode(r.Submission.Learner)).Append("</b>: ").Append(WebUtility.HtmlEncode(r.Problem!)).Append("</li>");
            html.Append("</ul>");
        }
        html.Append("<h2>Pass rate per exercise</h2>").Append(plot).Append("</body></html>\n");
        return html.ToString();
    }
}
