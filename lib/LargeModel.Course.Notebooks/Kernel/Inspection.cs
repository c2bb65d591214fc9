using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LargeModel.Course.Notebooks.Session;
using Microsoft.CodeAnalysis;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// Shift+Tab help: the signature of the symbol under the cursor (or of the call the cursor is in) and the summary
/// from its XML documentation, found next to the assembly or in the .NET reference pack.
/// </summary>
public static partial class Inspection
{
    static readonly SymbolDisplayFormat Signature = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeRef,
        kindOptions: SymbolDisplayKindOptions.IncludeTypeKeyword | SymbolDisplayKindOptions.IncludeNamespaceKeyword,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    static readonly ConcurrentDictionary<string, XDocument?> Docs = new();

    public static JsonObject Inspect(CSharpSession session, string code, int cursorCodePoints)
    {
        var reply = new JsonObject { ["status"] = "ok", ["found"] = false, ["data"] = new JsonObject(), ["metadata"] = new JsonObject() };
        ISymbol? symbol;
        try
        {
            var (model, root) = Completion.Analyse(session, code);
            symbol = SymbolAt(model, root, CodePoints.ToUtf16(code, cursorCodePoints));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return reply;
        }
        if (symbol is null) return reply;

        string signature = symbol.ToDisplayString(Signature);
        if (symbol is IMethodSymbol method)
        {
            int overloads = method.ContainingType?.GetMembers(method.Name).OfType<IMethodSymbol>().Count() - 1 ?? 0;
            if (overloads > 0) signature += $"  (+{overloads} overload{(overloads == 1 ? "" : "s")})";
        }
        string? summary = Summary(symbol);
        reply["found"] = true;
        reply["data"] = new JsonObject
        {
            ["text/plain"] = summary is null ? signature : $"{signature}\n\n{summary}",
            ["text/markdown"] = $"```csharp\n{signature}\n```" + (summary is null ? "" : $"\n\n{summary}"),
        };
        return reply;
    }

    static ISymbol? SymbolAt(SemanticModel model, SyntaxNode root, int position)
    {
        var token = root.FindToken(Math.Min(position, Math.Max(0, root.FullSpan.End - 1)));
        if (position > 0 && (token.Span.Start >= position || !token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken)))
        {
            var before = root.FindToken(position - 1);
            if (before.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) || !token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken)) token = before;
        }
        // From the token outwards: the name itself, else the call whose argument list the cursor is in.
        for (var node = token.Parent; node is not null && node is not Microsoft.CodeAnalysis.CSharp.Syntax.StatementSyntax; node = node.Parent)
        {
            var info = model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node);
            if (symbol is not null) return symbol;
        }
        return null;
    }

    /// <summary>The summary of <paramref name="symbol"/> from its XML documentation, in plain text, or null.</summary>
    internal static string? Summary(ISymbol symbol)
    {
        if (symbol is IMethodSymbol { ReducedFrom: { } extension }) symbol = extension;
        symbol = symbol.OriginalDefinition;
        string? xml = symbol.GetDocumentationCommentXml();
        XElement? member = null;
        if (!string.IsNullOrWhiteSpace(xml))
        {
            member = XElement.Parse(xml);
        }
        else if (symbol.GetDocumentationCommentId() is { } id && symbol.ContainingAssembly is { } assembly)
        {
            member = DocumentationFiles(assembly.Name).Select(Load).OfType<XDocument>()
                .SelectMany(d => d.Descendants("member")).FirstOrDefault(m => (string?)m.Attribute("name") == id);
        }
        var summary = member?.Element("summary");
        if (summary is null) return null;
        foreach (var reference in summary.Descendants().Where(e => e.Name == "see" || e.Name == "paramref" || e.Name == "typeparamref").ToList())
        {
            string target = (string?)reference.Attribute("cref") ?? (string?)reference.Attribute("name") ?? (string?)reference.Attribute("langword") ?? "";
            reference.ReplaceWith(new XText(target.Contains(':', StringComparison.Ordinal) ? target[(target.IndexOf(':', StringComparison.Ordinal) + 1)..].Split('(')[0].Split('.')[^1] : target));
        }
        return Spaces().Replace(summary.Value, " ").Trim();
    }

    static IEnumerable<string> DocumentationFiles(string assemblyName)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == assemblyName && a.Location != "");
        if (loaded is not null) yield return Path.ChangeExtension(loaded.Location, ".xml");
        // The runtime's own assemblies ship without docs; the SDK's reference pack has them (System.Runtime for CoreLib).
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var pack = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        if (!Directory.Exists(pack)) yield break;
        var version = Path.GetFileName(runtimeDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var folder = Directory.GetDirectories(pack).OrderByDescending(d => Path.GetFileName(d) == version).ThenByDescending(d => d, StringComparer.Ordinal).FirstOrDefault();
        if (folder is null) yield break;
        var reference = Directory.GetDirectories(Path.Combine(folder, "ref")).FirstOrDefault();
        if (reference is null) yield break;
        yield return Path.Combine(reference, assemblyName + ".xml");
        if (assemblyName is "System.Private.CoreLib" or "netstandard") yield return Path.Combine(reference, "System.Runtime.xml");
        if (assemblyName == "System.Private.CoreLib") yield return Path.Combine(reference, "System.Collections.xml");
    }

    static XDocument? Load(string path) => Docs.GetOrAdd(path, p =>
    {
        try
        {
            return File.Exists(p) ? XDocument.Load(p) : null;
        }
        catch (Exception e) when (e is IOException or System.Xml.XmlException or UnauthorizedAccessException)
        {
            return null;
        }
    });

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
