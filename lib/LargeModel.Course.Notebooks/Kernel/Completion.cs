using System.Collections.Immutable;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Session;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// Tab completion from Roslyn's semantic model: the code being typed is compiled as the session's next cell, so
/// variables and types from earlier cells are in scope. After a dot, the members of what is left of it; else
/// every name visible at the cursor, and the C# keywords.
/// </summary>
public static class Completion
{
    static readonly string[] Keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "class", "const", "continue", "decimal", "default",
        "delegate", "do", "double", "else", "enum", "false", "finally", "float", "for", "foreach", "if", "in", "int", "interface", "internal", "is",
        "long", "namespace", "new", "null", "object", "out", "override", "private", "protected", "public", "readonly", "record", "ref", "return",
        "sealed", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "using", "var", "virtual", "void", "while", "yield",
    ];

    public static JsonObject Complete(CSharpSession session, string code, int cursorCodePoints)
    {
        int position = CodePoints.ToUtf16(code, cursorCodePoints);
        int start = position;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        string prefix = code[start..position];

        var matches = new List<(string Name, string Kind)>();
        try
        {
            var (model, root) = Analyse(session, code);
            var symbols = MembersAfterDot(model, root, code, start) ?? VisibleAt(model, start);
            matches.AddRange(symbols
                .Where(s => s.CanBeReferencedByName && s.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && !s.Name.StartsWith("Submission#", StringComparison.Ordinal))
                .Select(s => (s.Name, Kind(s))));
            if (!IsAfterDot(code, start))
                matches.AddRange(Keywords.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => (k, "keyword")));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Completion is a convenience: code the compiler cannot make sense of yet simply completes nothing.
        }

        var distinct = matches.DistinctBy(m => m.Name).OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ToList();
        int startCodePoints = CodePoints.FromUtf16(code, start);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(distinct.Select(m => (JsonNode?)JsonValue.Create(m.Name)).ToArray()),
            ["cursor_start"] = startCodePoints,
            ["cursor_end"] = cursorCodePoints,
            ["metadata"] = new JsonObject
            {
                ["_jupyter_types_experimental"] = new JsonArray(distinct.Select(m => (JsonNode?)new JsonObject
                {
                    ["start"] = startCodePoints,
                    ["end"] = cursorCodePoints,
                    ["text"] = m.Name,
                    ["type"] = m.Kind,
                }).ToArray()),
            },
        };
    }

    /// <summary>The semantic model of <paramref name="code"/> as the session's next cell.</summary>
    internal static (SemanticModel Model, SyntaxNode Root) Analyse(CSharpSession session, string code)
    {
        var script = session.State?.Script is { } previous
            ? previous.ContinueWith(code, session.Options)
            : CSharpScript.Create(code, session.Options, typeof(NotebookGlobals));
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.Single();
        return (compilation.GetSemanticModel(tree), tree.GetRoot());
    }

    static bool IsAfterDot(string code, int start) => start > 0 && code[start - 1] == '.';

    static IEnumerable<ISymbol>? MembersAfterDot(SemanticModel model, SyntaxNode root, string code, int start)
    {
        if (!IsAfterDot(code, start)) return null;
        var dot = root.FindToken(start - 1);
        ExpressionSyntax? left = dot.Parent switch
        {
            MemberAccessExpressionSyntax access => access.Expression,
            QualifiedNameSyntax qualified => qualified.Left,
            MemberBindingExpressionSyntax binding => (binding.Parent as ConditionalAccessExpressionSyntax)?.Expression,
            _ => null,
        };
        if (left is null) return [];
        switch (model.GetSymbolInfo(left).Symbol)
        {
            case INamespaceSymbol ns:
                return model.LookupNamespacesAndTypes(start, ns);
            case ITypeSymbol type when left is NameSyntax or PredefinedTypeSyntax:
                return model.LookupStaticMembers(start, type);
        }
        var instance = model.GetTypeInfo(left).Type;
        if (instance is null) return [];
        return model.LookupSymbols(start, instance, includeReducedExtensionMethods: true)
            .Where(s => !s.IsStatic || s is IMethodSymbol { MethodKind: MethodKind.ReducedExtension });
    }

    static ImmutableArray<ISymbol> VisibleAt(SemanticModel model, int position) => model.LookupSymbols(position);

    static string Kind(ISymbol symbol) => symbol switch
    {
        IMethodSymbol => "method",
        IPropertySymbol => "property",
        IFieldSymbol => "field",
        IEventSymbol => "event",
        ILocalSymbol or IParameterSymbol => "local",
        INamespaceSymbol => "namespace",
        INamedTypeSymbol { TypeKind: TypeKind.Interface } => "interface",
        INamedTypeSymbol { TypeKind: TypeKind.Struct } => "struct",
        INamedTypeSymbol { TypeKind: TypeKind.Enum } => "enum",
        INamedTypeSymbol => "class",
        _ => "text",
    };
}

/// <summary>Jupyter counts cursor positions in Unicode code points; .NET strings count UTF-16 units.</summary>
static class CodePoints
{
    public static int ToUtf16(string text, int codePoints)
    {
        int index = 0;
        for (int seen = 0; seen < codePoints && index < text.Length; seen++)
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
        return index;
    }

    public static int FromUtf16(string text, int index)
    {
        int count = 0;
        for (int i = 0; i < index && i < text.Length; i++)
            if (!(char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]))) count++;
        return count;
    }
}
