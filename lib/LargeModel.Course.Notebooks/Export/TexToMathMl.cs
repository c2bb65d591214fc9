using System.Net;
using System.Text;

namespace LargeModel.Course.Notebooks.Export;

/// <summary>
/// Converts the LaTeX the lessons use into MathML, which every current browser draws by itself, so an
/// exported page shows real formulas offline with no JavaScript. It covers the mathematics of the course
/// (fractions, scripts, roots, accents, matrices, aligned equations, Greek letters, the usual operators);
/// anything else is refused with <see cref="FormatException"/> and the page shows the LaTeX source instead.
/// </summary>
public static class TexToMathMl
{
    public static string Convert(string tex, bool display)
    {
        var parser = new Parser(Tokenize(tex));
        var body = parser.Sequence(Stop.End);
        return $"<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"{(display ? "block" : "inline")}\"><mrow>{body}</mrow></math>";
    }

    enum Stop { End, Brace, Right, Cell }

    static List<string> Tokenize(string tex)
    {
        var tokens = new List<string>();
        for (int i = 0; i < tex.Length;)
        {
            char c = tex[i];
            if (char.IsWhiteSpace(c))
            {
                // Kept as one token: math ignores spaces, but \text{...} must keep them.
                while (i < tex.Length && char.IsWhiteSpace(tex[i])) i++;
                tokens.Add(" ");
            }
            else if (c == '\\' && i + 1 < tex.Length && char.IsLetter(tex[i + 1]))
            {
                int start = i++;
                while (i < tex.Length && char.IsLetter(tex[i])) i++;
                tokens.Add(tex[start..i]);
            }
            else if (c == '\\' && i + 1 < tex.Length)
            {
                tokens.Add(tex.Substring(i, 2));
                i += 2;
            }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < tex.Length && char.IsDigit(tex[i + 1])))
            {
                int start = i;
                while (i < tex.Length && (char.IsDigit(tex[i]) || (tex[i] == '.' && i + 1 < tex.Length && char.IsDigit(tex[i + 1])))) i++;
                tokens.Add(tex[start..i]);
            }
            else
            {
                tokens.Add(c.ToString());
                i++;
            }
        }
        return tokens;
    }

    sealed class Parser(List<string> tokens)
    {
        int at;

        string? Peek
        {
            get
            {
                SkipSpaces();
                return at < tokens.Count ? tokens[at] : null;
            }
        }

        string Next()
        {
            SkipSpaces();
            return at < tokens.Count ? tokens[at++] : throw new FormatException("unexpected end of formula");
        }

        void SkipSpaces()
        {
            while (at < tokens.Count && tokens[at] == " ") at++;
        }

        void Expect(string token)
        {
            if (Next() != token) throw new FormatException($"expected {token}");
        }

        public string Sequence(Stop stop)
        {
            var html = new StringBuilder();
            while (Peek is { } token)
            {
                if ((stop == Stop.Brace && token == "}") || (stop == Stop.Right && token == "\\right") ||
                    (stop == Stop.Cell && token is "&" or "\\\\" or "\\end"))
                    break;
                if (token == "}") throw new FormatException("unbalanced }");
                html.Append(Scripted());
            }
            if (stop == Stop.End && Peek is not null) throw new FormatException("unexpected " + Peek);
            return html.ToString();
        }

        /// <summary>An atom with its sub- and superscripts.</summary>
        string Scripted()
        {
            string token = Peek!;
            bool large = token is "\\sum" or "\\prod" or "\\lim" or "\\max" or "\\min" or "\\argmax" or "\\argmin";
            string atom = Atom();
            string? sub = null, sup = null;
            while (Peek is "_" or "^" or "'")
            {
                string script = Next();
                if (script == "'") sup = (sup ?? "") + "<mo>′</mo>";
                else if (script == "_") sub = Argument();
                else sup = Argument();
            }
            string under = large ? "munder" : "msub", over = large ? "mover" : "msup", both = large ? "munderover" : "msubsup";
            return (sub, sup) switch
            {
                (null, null) => atom,
                (not null, null) => $"<{under}>{atom}<mrow>{sub}</mrow></{under}>",
                (null, not null) => $"<{over}>{atom}<mrow>{sup}</mrow></{over}>",
                _ => $"<{both}>{atom}<mrow>{sub}</mrow><mrow>{sup}</mrow></{both}>",
            };
        }

        /// <summary>A braced group or a single atom, as after ^, _ or \frac.</summary>
        string Argument()
        {
            if (Peek == "{")
            {
                Next();
                string group = Sequence(Stop.Brace);
                Expect("}");
                return group;
            }
            return Atom();
        }

        string RawText()
        {
            Expect("{");
            var text = new StringBuilder();
            int depth = 0;
            while (true)
            {
                if (at >= tokens.Count) throw new FormatException("unexpected end of formula");
                string t = tokens[at++]; // spaces included: this is text
                if (t == "{") depth++;
                if (t == "}" && depth-- == 0) break;
                text.Append(t.StartsWith('\\') && t.Length == 2 ? t[1..] : t);
                if (t.StartsWith('\\') && t.Length > 2) text.Append(' ');
            }
            return text.ToString();
        }

        string Atom()
        {
            string token = Next();
            if (token == "{")
            {
                string group = Sequence(Stop.Brace);
                Expect("}");
                return $"<mrow>{group}</mrow>";
            }
            if (char.IsDigit(token[0]) || token[0] == '.') return $"<mn>{token}</mn>";
            if (char.IsLetter(token[0])) return $"<mi>{Encode(token)}</mi>";
            if (!token.StartsWith('\\')) return Operator(token);

            switch (token)
            {
                case "\\frac" or "\\dfrac" or "\\tfrac":
                    string numerator = Argument();
                    return $"<mfrac><mrow>{numerator}</mrow><mrow>{Argument()}</mrow></mfrac>";
                case "\\sqrt":
                    if (Peek == "[")
                    {
                        Next();
                        var index = new StringBuilder();
                        while (Peek != "]") index.Append(Scripted());
                        Next();
                        return $"<mroot><mrow>{Argument()}</mrow><mrow>{index}</mrow></mroot>";
                    }
                    return $"<msqrt>{Argument()}</msqrt>";
                case "\\text" or "\\textrm" or "\\textit" or "\\mbox":
                    return $"<mtext>{Encode(RawText())}</mtext>";
                case "\\operatorname":
                    return $"<mi mathvariant=\"normal\">{Encode(RawText())}</mi>{FunctionApplication()}";
                case "\\mathrm":
                    return $"<mi mathvariant=\"normal\">{Encode(RawText())}</mi>";
                case "\\textbf":
                    return $"<mtext style=\"font-weight:bold\">{Encode(RawText())}</mtext>";
                case "\\mathbf" or "\\boldsymbol" or "\\bm":
                    return $"<mrow style=\"font-weight:bold\">{Argument()}</mrow>";
                case "\\mathbb":
                    string letter = RawText();
                    return $"<mi mathvariant=\"normal\">{(DoubleStruck.TryGetValue(letter, out var ds) ? ds : Encode(letter))}</mi>";
                case "\\mathcal":
                    return $"<mi>{Encode(RawText())}</mi>";
                case "\\hat" or "\\widehat" or "\\bar" or "\\overline" or "\\tilde" or "\\vec" or "\\dot":
                    string accent = token switch { "\\hat" or "\\widehat" => "^", "\\bar" or "\\overline" => "¯", "\\tilde" => "~", "\\vec" => "→", _ => "˙" };
                    return $"<mover accent=\"true\"><mrow>{Argument()}</mrow><mo>{accent}</mo></mover>";
                case "\\left":
                    string open = Delimiter(Next());
                    string inner = Sequence(Stop.Right);
                    Expect("\\right");
                    string close = Delimiter(Next());
                    return $"<mrow>{open}{inner}{close}</mrow>";
                case "\\begin":
                    return Environment(RawText());
                case "\\big" or "\\Big" or "\\bigg" or "\\Bigg" or "\\displaystyle" or "\\textstyle" or "\\limits" or "\\nolimits":
                    return "";
            }
            if (Spaces.TryGetValue(token, out var width)) return $"<mspace width=\"{width}\"></mspace>";
            if (Functions.Contains(token[1..])) return $"<mi mathvariant=\"normal\">{token[1..]}</mi>{FunctionApplication()}";
            if (Letters.TryGetValue(token, out var symbol)) return $"<mi>{symbol}</mi>";
            if (Operators.TryGetValue(token, out var op)) return $"<mo>{op}</mo>";
            if (token.Length == 2 && !char.IsLetter(token[1])) return Operator(token[1..]);
            throw new FormatException($"unsupported command {token}");
        }

        /// <summary>
        /// The invisible "function application" after ln, softmax and the like, with TeX's thin space when an argument
        /// follows without brackets: "ln softmax(W)", not "lnsoftmax(W)"; "log(x)" keeps no gap.
        /// </summary>
        string FunctionApplication() =>
            $"<mo lspace=\"0\" rspace=\"{(Peek is null or "(" or "[" or "\\left" or "_" or "^" or "\\{" ? "0" : "0.1667em")}\">&#x2061;</mo>";

        string Environment(string name)
        {
            var rows = new List<List<string>>();
            var row = new List<string>();
            while (true)
            {
                row.Add(Sequence(Stop.Cell));
                string separator = Next();
                if (separator == "&") continue;
                rows.Add(row);
                row = [];
                if (separator == "\\end")
                {
                    if (RawText() != name) throw new FormatException($"\\begin{{{name}}} without its \\end");
                    break;
                }
            }
            if (rows.Count > 1 && rows[^1] is [""]) rows.RemoveAt(rows.Count - 1);
            // Browsers draw MathML Core, which has no columnalign: aligned equations align through CSS instead.
            string[] align = name is "aligned" or "align" or "align*" or "split" ? ["right", "left"] : name == "cases" ? ["left", "left"] : ["center"];
            var table = new StringBuilder("<mtable>");
            foreach (var r in rows)
                table.Append("<mtr>").Append(string.Concat(r.Select((cell, i) =>
                    $"<mtd style=\"text-align:{align[i % align.Length]};padding:0.15em 0.1em\"><mrow>{cell}</mrow></mtd>"))).Append("</mtr>");
            table.Append("</mtable>");
            return name switch
            {
                "pmatrix" => $"<mrow><mo>(</mo>{table}<mo>)</mo></mrow>",
                "bmatrix" => $"<mrow><mo>[</mo>{table}<mo>]</mo></mrow>",
                "vmatrix" => $"<mrow><mo>|</mo>{table}<mo>|</mo></mrow>",
                "cases" => $"<mrow><mo>{{</mo>{table}</mrow>",
                "matrix" or "aligned" or "align" or "align*" or "split" or "array" => table.ToString(),
                _ => throw new FormatException($"unsupported environment {name}"),
            };
        }

        static string Delimiter(string token) => token switch
        {
            "." => "",
            "\\{" => "<mo>{</mo>",
            "\\}" => "<mo>}</mo>",
            "\\|" => "<mo>‖</mo>",
            "\\langle" => "<mo>⟨</mo>",
            "\\rangle" => "<mo>⟩</mo>",
            "\\lfloor" => "<mo>⌊</mo>",
            "\\rfloor" => "<mo>⌋</mo>",
            "\\lceil" => "<mo>⌈</mo>",
            "\\rceil" => "<mo>⌉</mo>",
            _ when token.Length == 1 => $"<mo>{Encode(token)}</mo>",
            _ => throw new FormatException($"unsupported delimiter {token}"),
        };

        static string Operator(string token) => $"<mo>{Encode(token)}</mo>";
    }

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    static readonly Dictionary<string, string> Spaces = new()
    {
        ["\\,"] = "0.17em", ["\\:"] = "0.22em", ["\\;"] = "0.28em", ["\\!"] = "0em", ["\\ "] = "0.33em", ["\\quad"] = "1em", ["\\qquad"] = "2em",
    };

    static readonly HashSet<string> Functions =
    [
        "log", "ln", "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "max", "min", "arg", "argmax", "argmin", "lim", "det", "sup", "inf", "softmax", "sign", "Var", "diag",
    ];

    static readonly Dictionary<string, string> DoubleStruck = new() { ["R"] = "ℝ", ["N"] = "ℕ", ["Z"] = "ℤ", ["E"] = "𝔼", ["P"] = "ℙ", ["Q"] = "ℚ" };

    static readonly Dictionary<string, string> Letters = new()
    {
        ["\\alpha"] = "α", ["\\beta"] = "β", ["\\gamma"] = "γ", ["\\delta"] = "δ", ["\\epsilon"] = "ϵ", ["\\varepsilon"] = "ε",
        ["\\zeta"] = "ζ", ["\\eta"] = "η", ["\\theta"] = "θ", ["\\vartheta"] = "ϑ", ["\\iota"] = "ι", ["\\kappa"] = "κ",
        ["\\lambda"] = "λ", ["\\mu"] = "μ", ["\\nu"] = "ν", ["\\xi"] = "ξ", ["\\pi"] = "π", ["\\rho"] = "ρ", ["\\sigma"] = "σ",
        ["\\tau"] = "τ", ["\\upsilon"] = "υ", ["\\phi"] = "ϕ", ["\\varphi"] = "φ", ["\\chi"] = "χ", ["\\psi"] = "ψ", ["\\omega"] = "ω",
        ["\\Gamma"] = "Γ", ["\\Delta"] = "Δ", ["\\Theta"] = "Θ", ["\\Lambda"] = "Λ", ["\\Xi"] = "Ξ", ["\\Pi"] = "Π",
        ["\\Sigma"] = "Σ", ["\\Phi"] = "Φ", ["\\Psi"] = "Ψ", ["\\Omega"] = "Ω", ["\\ell"] = "ℓ", ["\\infty"] = "∞",
        ["\\partial"] = "∂", ["\\nabla"] = "∇", ["\\emptyset"] = "∅",
    };

    static readonly Dictionary<string, string> Operators = new()
    {
        ["\\cdot"] = "⋅", ["\\times"] = "×", ["\\div"] = "÷", ["\\pm"] = "±", ["\\mp"] = "∓", ["\\ast"] = "∗", ["\\star"] = "⋆",
        ["\\le"] = "≤", ["\\leq"] = "≤", ["\\ge"] = "≥", ["\\geq"] = "≥", ["\\neq"] = "≠", ["\\ne"] = "≠", ["\\approx"] = "≈",
        ["\\sim"] = "∼", ["\\simeq"] = "≃", ["\\equiv"] = "≡", ["\\propto"] = "∝", ["\\ll"] = "≪", ["\\gg"] = "≫",
        ["\\in"] = "∈", ["\\notin"] = "∉", ["\\subset"] = "⊂", ["\\subseteq"] = "⊆", ["\\cup"] = "∪", ["\\cap"] = "∩",
        ["\\to"] = "→", ["\\rightarrow"] = "→", ["\\leftarrow"] = "←", ["\\gets"] = "←", ["\\Rightarrow"] = "⇒",
        ["\\Leftarrow"] = "⇐", ["\\iff"] = "⟺", ["\\implies"] = "⟹", ["\\Longrightarrow"] = "⟹", ["\\longrightarrow"] = "⟶", ["\\Longleftrightarrow"] = "⟺", ["\\uparrow"] = "↑", ["\\downarrow"] = "↓", ["\\mapsto"] = "↦", ["\\leftrightarrow"] = "↔",
        ["\\sum"] = "∑", ["\\prod"] = "∏", ["\\int"] = "∫", ["\\ldots"] = "…", ["\\dots"] = "…", ["\\cdots"] = "⋯",
        ["\\vdots"] = "⋮", ["\\ddots"] = "⋱", ["\\odot"] = "⊙", ["\\otimes"] = "⊗", ["\\oplus"] = "⊕", ["\\top"] = "⊤",
        ["\\mid"] = "∣", ["\\forall"] = "∀", ["\\exists"] = "∃", ["\\circ"] = "∘", ["\\bullet"] = "∙", ["\\lvert"] = "|",
        ["\\rvert"] = "|", ["\\lVert"] = "‖", ["\\rVert"] = "‖", ["\\langle"] = "⟨", ["\\rangle"] = "⟩", ["\\neg"] = "¬",
        ["\\land"] = "∧", ["\\lor"] = "∨", ["\\{"] = "{", ["\\}"] = "}", ["\\|"] = "‖", ["\\%"] = "%", ["\\_"] = "_", ["\\#"] = "#",
    };
}
