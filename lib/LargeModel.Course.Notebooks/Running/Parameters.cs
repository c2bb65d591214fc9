using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LargeModel.Course.Notebooks.Running;

/// <summary>One setting declared in a notebook's parameters cell, e.g. <c>int steps = 2000; // quick: 50</c>.</summary>
/// <param name="Type">The declared C# type (<c>var</c> is read from the literal).</param>
/// <param name="Quick">The value after <c>// quick:</c>, which <c>--quick</c> uses so CI runs in minutes.</param>
public sealed record Parameter(string Name, string Type, string Default, string? Quick);

/// <summary>
/// Papermill-style parameters. The cell tagged <c>parameters</c> declares the lesson's sizes and step counts
/// with the defaults a learner gets; <c>course run --param name=value</c> and <c>--quick</c> override them
/// in a cell injected right after it, as assignments, so every value keeps its declared type.
/// </summary>
public static class Parameters
{
    public const string Tag = "parameters", InjectedTag = "injected-parameters";

    /// <summary>The settings the parameters cell declares, in order.</summary>
    public static IReadOnlyList<Parameter> Read(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(kind: SourceCodeKind.Script)).GetRoot();
        var found = new List<Parameter>();
        foreach (var declaration in root.ChildNodes().SelectMany(TopLevelDeclarations))
        {
            var semicolon = declaration.Parent?.GetLastToken();
            string? quick = semicolon?.TrailingTrivia
                .Where(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia))
                .Select(t => t.ToString().TrimStart('/').Trim())
                .Where(c => c.StartsWith("quick:", StringComparison.OrdinalIgnoreCase))
                .Select(c => c["quick:".Length..].Trim())
                .FirstOrDefault();
            foreach (var variable in declaration.Variables)
            {
                string initial = variable.Initializer?.Value.ToString() ?? "default";
                string type = declaration.Type.IsVar ? TypeOfLiteral(variable.Initializer?.Value) : declaration.Type.ToString();
                found.Add(new Parameter(variable.Identifier.Text, type, initial, quick));
            }
        }
        return found;
    }

    static IEnumerable<VariableDeclarationSyntax> TopLevelDeclarations(SyntaxNode node) => node switch
    {
        FieldDeclarationSyntax field => [field.Declaration],
        GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local } => [local.Declaration],
        _ => [],
    };

    /// <summary>
    /// The code of the injected cell, or null when nothing is overridden. Unknown names and values that do not
    /// fit their declared type are errors that list what would have worked.
    /// </summary>
    public static string? Injection(IReadOnlyList<Parameter> declared, IReadOnlyDictionary<string, string> overrides, bool quick)
    {
        var values = new List<(Parameter Parameter, string Value, string Source)>();
        if (quick)
            values.AddRange(declared.Where(p => p.Quick is not null).Select(p => (p, p.Quick!, "--quick")));
        foreach (var (name, value) in overrides)
        {
            var parameter = declared.FirstOrDefault(p => p.Name == name)
                ?? throw new ParameterException(declared.Count == 0
                    ? $"--param {name}: this notebook has no parameters cell (a code cell tagged \"{Tag}\")."
                    : $"--param {name}: the notebook has no parameter called '{name}'. Its parameters are: {string.Join(", ", declared.Select(p => $"{p.Name} ({p.Type})"))}.");
            values.RemoveAll(v => v.Parameter.Name == name);
            values.Add((parameter, value, "--param"));
        }
        if (values.Count == 0) return null;

        var code = new StringBuilder("// Injected by `course run`: these values replace the defaults in the parameters cell above.\n");
        foreach (var (parameter, value, source) in values)
            code.Append($"{parameter.Name} = {Literal(parameter, value, source)};\n");
        return code.ToString();
    }

    /// <summary>A C# expression of the parameter's declared type for the text given on the command line.</summary>
    internal static string Literal(Parameter parameter, string value, string source)
    {
        string Fail(string what) => throw new ParameterException(
            $"{source} {parameter.Name}={value}: {parameter.Name} is declared as {parameter.Type}, and '{value}' is not {what}.");
        var invariant = CultureInfo.InvariantCulture;
        switch (parameter.Type)
        {
            case "int" or "Int32":
                return int.TryParse(value, NumberStyles.Integer, invariant, out int i) ? i.ToString(invariant) : Fail("a whole number");
            case "long" or "Int64":
                return long.TryParse(value, NumberStyles.Integer, invariant, out long l) ? l.ToString(invariant) + "L" : Fail("a whole number");
            case "double" or "Double":
                return double.TryParse(value.TrimEnd('d', 'D'), NumberStyles.Float, invariant, out double d) ? d.ToString("R", invariant) + "d" : Fail("a number");
            case "float" or "Single":
                return float.TryParse(value.TrimEnd('f', 'F'), NumberStyles.Float, invariant, out float f) ? f.ToString("R", invariant) + "f" : Fail("a number");
            case "decimal" or "Decimal":
                return decimal.TryParse(value.TrimEnd('m', 'M'), NumberStyles.Float, invariant, out decimal m) ? m.ToString(invariant) + "m" : Fail("a number");
            case "bool" or "Boolean":
                return bool.TryParse(value, out bool b) ? (b ? "true" : "false") : Fail("true or false");
            case "string" or "String":
                string text = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
                return SymbolDisplay.FormatLiteral(text, quote: true);
            default:
                // Any other type (an enum, an array): the value is C# code, checked by the compiler.
                return value;
        }
    }

    static string TypeOfLiteral(ExpressionSyntax? value) => value switch
    {
        LiteralExpressionSyntax { Token.Value: int } => "int",
        LiteralExpressionSyntax { Token.Value: long } => "long",
        LiteralExpressionSyntax { Token.Value: double } => "double",
        LiteralExpressionSyntax { Token.Value: float } => "float",
        LiteralExpressionSyntax { Token.Value: decimal } => "decimal",
        LiteralExpressionSyntax { Token.Value: bool } => "bool",
        LiteralExpressionSyntax { Token.Value: string } => "string",
        PrefixUnaryExpressionSyntax { Operand: var operand } => TypeOfLiteral(operand),
        _ => "var",
    };
}

/// <summary>A parameter override that does not fit the notebook; the message lists what would.</summary>
public sealed class ParameterException(string message) : Exception(message);
