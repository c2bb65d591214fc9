using System.Text.RegularExpressions;
using LargeModel.Course.Notebooks.Export;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Running;
using static LargeModel.Course.Notebooks.Tests.TestNotebook;

namespace LargeModel.Course.Notebooks.Tests;

public class TexToMathMlTests
{
    [Fact]
    public void Fractions_scripts_and_greek_letters_become_mathml()
    {
        var math = TexToMathMl.Convert(@"\hat{m}_t = \frac{m_t}{1 - \beta_1^t}", display: true);
        Assert.StartsWith("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\">", math);
        Assert.Contains("<mover accent=\"true\"><mrow><mi>m</mi></mrow><mo>^</mo></mover>", math);
        Assert.Contains("<mfrac><mrow><msub><mi>m</mi><mrow><mi>t</mi></mrow></msub></mrow>", math);
        Assert.Contains("<msubsup><mi>β</mi><mrow><mn>1</mn></mrow><mrow><mi>t</mi></mrow></msubsup>", math);
    }

    [Fact]
    public void Matrices_and_big_operators_have_their_structure()
    {
        var matrix = TexToMathMl.Convert(@"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", display: false);
        Assert.Equal(2, Regex.Matches(matrix, "<mtr>").Count);
        Assert.Equal(4, Regex.Matches(matrix, "<mtd[ >]").Count);
        Assert.Contains("<mo>(</mo><mtable>", matrix);
        var sum = TexToMathMl.Convert(@"\sum_{i=1}^{n} x_i", display: true);
        Assert.Contains("<munderover><mo>∑</mo>", sum);
    }

    [Fact]
    public void Text_keeps_its_spaces_and_primes_stay_on_their_symbol()
    {
        Assert.Contains("<mtext>with probability p</mtext>", TexToMathMl.Convert(@"x \text{with probability p}", display: false));
        Assert.Contains("<msup><mi>ϕ</mi><mrow><mo>′</mo></mrow></msup>", HtmlExport.RenderMarkdown(@"The derivative $\phi'(z)$ is"));
        Assert.Contains("<msqrt><msub><mi>d</mi><mrow><mi>k</mi></mrow></msub></msqrt>", HtmlExport.RenderMarkdown(@"## 4. Why divide by $\sqrt{d_k}$?"));
    }

    [Fact]
    public void A_function_name_is_set_off_from_its_argument_but_not_from_brackets()
    {
        var math = TexToMathMl.Convert(@"\ln \operatorname{softmax}(W_a)_b", display: false);
        Assert.Contains("<mi mathvariant=\"normal\">ln</mi><mo lspace=\"0\" rspace=\"0.1667em\">&#x2061;</mo><mi mathvariant=\"normal\">softmax</mi><mo lspace=\"0\" rspace=\"0\">&#x2061;</mo><mo", math);
    }

    [Fact]
    public void Unsupported_latex_is_refused_rather_than_drawn_wrong()
    {
        Assert.Throws<FormatException>(() => TexToMathMl.Convert(@"\unknowncommand{x}", display: false));
        Assert.Throws<FormatException>(() => TexToMathMl.Convert(@"\frac{a}{b", display: false));
    }
}

[Collection(nameof(Cells))]
public class HtmlExportTests
{
    [Fact]
    public async Task A_page_has_rendered_markdown_math_outputs_and_plotly_js_exactly_once()
    {
        var notebook = Notebook.Parse(Of(
            Markdown("# Lesson title\nThe loss is $L = \\frac{1}{n}\\sum_i (y_i - \\hat{y}_i)^2$ and **bold** text."),
            Code("using Plotly.NET.CSharp;\nConsole.WriteLine(\"<printed>\");"),
            Code("Chart.Line<double, double, string>(new double[] { 1, 2 }, new double[] { 3, 4 })"),
            Code("Chart.Point<double, double, string>(new double[] { 1, 2 }, new double[] { 3, 4 })")), "/tmp/lesson.ipynb");
        var run = await new NotebookRunner(new RunOptions()).RunAsync(notebook);
        Assert.True(run.Succeeded, run.Failure);

        string html = HtmlExport.Render(run.Executed);

        Assert.Contains("<title>Lesson title</title>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<mfrac>", html);
        Assert.Contains("&lt;printed&gt;", html); // printed text is escaped, not interpreted
        Assert.Equal(2, Regex.Matches(html, "class=\"course-plotly\"").Count);
        Assert.Single(Regex.Matches(html, "function\\(t,e\\)\\{\"object\"==typeof exports")); // plotly.js once, in the head
        Assert.DoesNotMatch(@"<script[^>]*\ssrc=", html); // nothing is fetched: the page works offline
    }

    [Fact]
    public void A_reference_solution_collapsed_in_the_notebook_is_collapsed_on_the_page()
    {
        var notebook = Notebook.Parse(Of(Code("int Answer() => throw new NotImplementedException();", "exercise"), Code("int Answer() => 42;", "solution")), "/tmp/lesson.ipynb");
        notebook.Cells[1].Metadata["jupyter"] = new System.Text.Json.Nodes.JsonObject { ["source_hidden"] = true };
        string html = HtmlExport.Render(notebook);
        Assert.Matches(@"<details class=""hidden-source""><summary>Reference solution \(click to show\)</summary><div class=""input"">.*Answer\(\) =&gt; 42;", html);
        Assert.DoesNotMatch(@"<details[^>]*><summary>[^<]*</summary><div class=""input"">[^\n]*NotImplementedException", html); // the exercise stays open
    }
}
