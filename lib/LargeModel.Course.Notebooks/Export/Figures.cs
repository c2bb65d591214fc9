using System.Net;
using System.Text.RegularExpressions;

namespace LargeModel.Course.Notebooks.Export;

/// <summary>
/// The figures a lesson shows with <c>![alt](../assets/x.svg)</c>: found in rendered Markdown, read from disk and
/// embedded as data URIs, so an exported page or slide deck needs neither the repository nor a network.
/// </summary>
public static partial class Figures
{
    static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
    };

    /// <summary>The relative image paths a piece of Markdown references (absolute URLs and data URIs are not files of ours).</summary>
    public static IEnumerable<string> Referenced(string markdown) =>
        MarkdownImage().Matches(markdown).Select(m => m.Groups["src"].Value).Where(IsRelative);

    /// <summary>Replaces each relative <c>&lt;img src&gt;</c> in <paramref name="html"/> by the file's bytes as a data URI.</summary>
    /// <remarks>A missing file is left as a plain reference (the browser shows its alt text); the tests check that every
    /// figure a lesson references exists.</remarks>
    public static string Embed(string html, string? folder) =>
        folder is null ? html : ImageSource().Replace(html, match =>
        {
            string source = WebUtility.HtmlDecode(match.Groups["src"].Value);
            if (!IsRelative(source)) return match.Value;
            string file = Path.GetFullPath(Path.Combine(folder, Uri.UnescapeDataString(source)));
            if (!File.Exists(file) || !MediaTypes.TryGetValue(Path.GetExtension(file), out var type)) return match.Value;
            return $"{match.Groups["before"].Value}src=\"data:{type};base64,{Convert.ToBase64String(File.ReadAllBytes(file))}\"";
        });

    static bool IsRelative(string source) =>
        source.Length > 0 && !source.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && !source.StartsWith('/')
        && !Uri.TryCreate(source, UriKind.Absolute, out _);

    [GeneratedRegex(@"(?<before><img\b[^>]*?\s)src=""(?<src>[^""]*)""")]
    private static partial Regex ImageSource();

    [GeneratedRegex(@"!\[[^\]]*\]\((?<src>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownImage();
}
