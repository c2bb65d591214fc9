using LargeModel.Course.Notebooks.Running;

namespace LargeModel.Course.Notebooks.Tests;

public class ParametersTests
{
    const string Cell = """
        int steps = 2000;      // quick: 50
        double learningRate = 0.1;
        float scale = 1.5f;    // quick: 0.5
        string corpus = "stories";
        var hidden = 64;       // quick: 8
        bool plot = true;
        """;

    [Fact]
    public void The_parameters_cell_is_read_with_types_defaults_and_quick_values()
    {
        var parameters = Parameters.Read(Cell);
        Assert.Equal(
            [
                new Parameter("steps", "int", "2000", "50"),
                new Parameter("learningRate", "double", "0.1", null),
                new Parameter("scale", "float", "1.5f", "0.5"),
                new Parameter("corpus", "string", "\"stories\"", null),
                new Parameter("hidden", "int", "64", "8"),
                new Parameter("plot", "bool", "true", null),
            ],
            parameters);
    }

    [Fact]
    public void Injected_values_keep_their_declared_types()
    {
        var code = Parameters.Injection(Parameters.Read(Cell), new Dictionary<string, string>
        {
            ["learningRate"] = "1",
            ["corpus"] = "brown",
            ["plot"] = "false",
        }, quick: true);
        Assert.Equal(
            "// Injected by `course run`: these values replace the defaults in the parameters cell above.\n" +
            "steps = 50;\nscale = 0.5f;\nhidden = 8;\nlearningRate = 1d;\ncorpus = \"brown\";\nplot = false;\n",
            code);
    }

    [Fact]
    public void A_command_line_value_wins_over_the_quick_value()
    {
        var code = Parameters.Injection(Parameters.Read(Cell), new Dictionary<string, string> { ["steps"] = "7" }, quick: true)!;
        Assert.Contains("steps = 7;", code);
        Assert.DoesNotContain("steps = 50;", code);
    }

    [Fact]
    public void Nothing_is_injected_when_nothing_is_overridden()
    {
        Assert.Null(Parameters.Injection(Parameters.Read(Cell), new Dictionary<string, string>(), quick: false));
    }

    [Fact]
    public void An_unknown_name_lists_the_parameters_there_are()
    {
        var error = Assert.Throws<ParameterException>(() => Parameters.Injection(Parameters.Read(Cell), new Dictionary<string, string> { ["step"] = "1" }, false));
        Assert.Contains("no parameter called 'step'", error.Message);
        Assert.Contains("steps (int)", error.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_says_what_was_expected()
    {
        var error = Assert.Throws<ParameterException>(() => Parameters.Injection(Parameters.Read(Cell), new Dictionary<string, string> { ["steps"] = "lots" }, false));
        Assert.Equal("--param steps=lots: steps is declared as int, and 'lots' is not a whole number.", error.Message);
    }
}
