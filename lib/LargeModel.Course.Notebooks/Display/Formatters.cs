using System.Collections;
using System.Globalization;
using System.Net;
using Plotly.NET;
using TorchSharp;

namespace LargeModel.Course.Notebooks.Display;

/// <summary>
/// Turns a cell's values into outputs. <c>text/plain</c> always (logs, terminals and tests read it); richer
/// types where they help a learner: charts, tensors with their shape, dtype and device, HTML and Markdown.
/// Lessons and the library can register more with <see cref="Register{T}"/>.
/// </summary>
public sealed class Formatters
{
    const int ValuesShownUpTo = 200; // a tensor with more elements shows its shape only; printing it would bury the cell
    const int ItemsShown = 20;

    readonly List<(Type Type, Func<object, MimeBundle> Format)> custom = [];
    bool plotlyLibraryShown;

    /// <summary>Adds (or overrides) the formatting of values of type <typeparamref name="T"/>.</summary>
    public void Register<T>(Func<T, MimeBundle> format) => custom.Insert(0, (typeof(T), v => format((T)v)));

    /// <summary>Whether the plotly.js library has already gone out in this session's HTML outputs.</summary>
    public bool PlotlyLibraryShown { get => plotlyLibraryShown; set => plotlyLibraryShown = value; }

    public MimeBundle Format(object? value)
    {
        switch (value)
        {
            case null:
                return new MimeBundle("null");
            case MimeBundle bundle:
                return bundle;
            case string text:
                return new MimeBundle(text);
        }
        foreach (var (type, format) in custom)
            if (type.IsInstanceOfType(value)) return format(value);

        switch (value)
        {
            case GenericChart chart:
                var output = PlotlyOutput.Format(chart, includeLibrary: !plotlyLibraryShown);
                plotlyLibraryShown = true;
                return output;
            case torch.Tensor tensor:
                return FormatTensor(tensor);
            case Html html:
                return new MimeBundle(StripTags(html.Content)).With(MimeBundle.Html, html.Content);
            case Markdown markdown:
                return new MimeBundle(markdown.Content).With(MimeBundle.Markdown, markdown.Content);
            case ExerciseVerdict verdict:
                return ExerciseOutput.Format(verdict);
            case ExerciseSummary summary:
                return ExerciseOutput.Format(summary);
            case IFormattable formattable:
                return new MimeBundle(formattable.ToString(null, CultureInfo.InvariantCulture));
            case IEnumerable items when value is not IDictionary:
                return new MimeBundle(FormatItems(items));
            default:
                return new MimeBundle(value.ToString() ?? "");
        }
    }

    static MimeBundle FormatTensor(torch.Tensor tensor)
    {
        if (tensor.IsInvalid) return new MimeBundle("Tensor (disposed)");
        string shape = "[" + string.Join(", ", tensor.shape) + "]";
        string header = $"Tensor {shape} {tensor.dtype.ToString().ToLowerInvariant()} on {tensor.device}{(tensor.requires_grad ? ", requires grad" : "")}";
        if (tensor.numel() > ValuesShownUpTo)
            return new MimeBundle(header).With(MimeBundle.Html, $"<div class=\"course-tensor\"><b>{WebUtility.HtmlEncode(header)}</b> ({tensor.numel()} values, too many to list)</div>");
        string values = tensor.cpu().ToString(TensorStringStyle.Numpy, fltFormat: "G5", width: 100, cultureInfo: CultureInfo.InvariantCulture);
        return new MimeBundle($"{header}\n{values}")
            .With(MimeBundle.Html, $"<div class=\"course-tensor\"><b>{WebUtility.HtmlEncode(header)}</b><pre>{WebUtility.HtmlEncode(values)}</pre></div>");
    }

    static string FormatItems(IEnumerable items)
    {
        var shown = new List<string>();
        int count = 0;
        foreach (var item in items)
        {
            if (count++ < ItemsShown) shown.Add(item is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : item?.ToString() ?? "null");
        }
        string more = count > ItemsShown ? $", ... ({count} items)" : "";
        return $"[{string.Join(", ", shown)}{more}]";
    }

    static string StripTags(string html) => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", "")).Trim();
}
