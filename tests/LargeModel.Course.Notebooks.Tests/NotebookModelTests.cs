using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Tests;

public class NotebookModelTests
{
    const string Polyglot = """
        {
         "cells": [
          {"cell_type": "markdown", "id": "m1", "metadata": {"custom": {"keep": [1, 2]}}, "source": ["# Title\n", "text"], "attachments": {"a.png": {"image/png": "AAAA"}}},
          {"cell_type": "code", "execution_count": null, "id": "c1", "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "outputs": [], "source": ["var x = 1;\n", "x"]},
          {"cell_type": "code", "execution_count": null, "id": "c2", "metadata": {"dotnet_interactive": {"language": "fsharp"}}, "outputs": [], "source": "let y = 2"},
          {"cell_type": "code", "execution_count": null, "id": "c3", "metadata": {}, "outputs": [], "source": "#!html\n<b>hi</b>"}
         ],
         "metadata": {
          "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
          "language_info": {"name": "polyglot-notebook"},
          "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"name": "csharp", "languageName": "C#", "aliases": ["C#", "c#"]}]}},
          "widgets": {"state": {"anything": true}}
         },
         "nbformat": 4,
         "nbformat_minor": 5
        }
        """;

    [Fact]
    public void A_polyglot_notebook_round_trips_with_everything_it_does_not_understand()
    {
        var notebook = Notebook.Parse(Polyglot);
        var again = Notebook.Parse(notebook.ToJson());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Polyglot), JsonNode.Parse(again.ToJson())));
        Assert.Equal("AAAA", again.Cells[0].Json["attachments"]!["a.png"]!["image/png"]!.GetValue<string>());
        Assert.True(again.Metadata["widgets"]!["state"]!["anything"]!.GetValue<bool>());
    }

    [Fact]
    public void Cell_languages_follow_polyglot_metadata_legacy_metadata_and_magics()
    {
        var notebook = Notebook.Parse(Polyglot);
        string fallback = notebook.DefaultLanguage;
        Assert.Equal("csharp", fallback);
        Assert.Equal(["markdown", "csharp", "fsharp", "html"], notebook.Cells.Select(c => c.Language(fallback)));
        Assert.Equal("# Title\ntext", notebook.Cells[0].Source);
        Assert.Equal("let y = 2", notebook.Cells[2].Source);
    }

    [Fact]
    public void Invalid_json_is_a_clear_error_with_the_place()
    {
        var error = Assert.Throws<NotebookFormatException>(() => Notebook.Parse("{\"cells\": [\n{\"cell_type\": }", "broken.ipynb"));
        Assert.StartsWith("broken.ipynb cannot be opened: it is not valid JSON (line 2", error.Message);
    }

    [Theory]
    [InlineData("""{"nbformat": 3, "worksheets": []}""", "nbformat 3")]
    [InlineData("""{"cells": []}""", "no \"nbformat\"")]
    [InlineData("""[1, 2]""", "not a notebook")]
    [InlineData("""{"nbformat": 4, "cells": [42]}""", "cell 1 is not a cell")]
    public void Notebooks_that_are_not_nbformat_4_are_refused_with_the_reason(string json, string reason)
    {
        var error = Assert.Throws<NotebookFormatException>(() => Notebook.Parse(json, "x.ipynb"));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Throws<NotebookFormatException>(() => Notebook.Load("/no/such/lesson.ipynb"));
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Saving_replaces_the_file_whole_and_leaves_no_temporary_files()
    {
        using var folder = new TempFolder();
        var path = folder.Write("n.ipynb", "old content that is not a notebook");
        var notebook = Notebook.Parse(Polyglot);
        notebook.Cells[1].Source = "var z = 3;\nz";
        notebook.Save(path);
        Assert.Equal(["n.ipynb"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
        Assert.Equal("var z = 3;\nz", Notebook.Load(path).Cells[1].Source);
        Assert.Equal(["var z = 3;\n", "z"], Notebook.Load(path).Cells[1].Json["source"]!.AsArray().Select(l => l!.GetValue<string>()));
    }
}
