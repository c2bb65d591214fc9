using System.Text.Json;
using LargeModel.Course.Datasets;
using LargeModel.Course.Optimizers;
using LargeModel.Course.Plots;
using LargeModel.Course.Training;
using Plotly.NET;

namespace LargeModel.Course.Tests;

public class ChartTests
{
    static JsonElement Figure(GenericChart chart) => JsonDocument.Parse(GenericChart.toFigureJson(chart)).RootElement;

    static List<JsonElement> Traces(JsonElement figure) => figure.GetProperty("data").EnumerateArray().ToList();

    static string AxisTitle(JsonElement figure, string axis) =>
        figure.GetProperty("layout").GetProperty(axis).GetProperty("title").GetProperty("text").GetString()!;

    [Fact]
    public void Loss_curves_from_a_history_draw_train_per_step_and_validation_per_epoch()
    {
        var history = new History();
        for (int step = 1; step <= 30; step++) history.Steps.Add(new StepRecord(step, (step + 9) / 10, 1.0 / step, 0.1));
        for (int epoch = 1; epoch <= 3; epoch++) history.Epochs.Add(new EpochRecord(epoch, epoch * 10, 0.5 / epoch, 0.6 / epoch));

        var figure = Figure(Charts.LossCurves(history, logY: true));

        var traces = Traces(figure);
        Assert.Equal(["train", "validation"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal("scatter", t.GetProperty("type").GetString()));
        Assert.Equal(30, traces[0].GetProperty("y").GetArrayLength());
        Assert.Equal([10.0, 20.0, 30.0], traces[1].GetProperty("x").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal("step", AxisTitle(figure, "xaxis"));
        Assert.Equal("loss", AxisTitle(figure, "yaxis"));
        Assert.Equal("log", figure.GetProperty("layout").GetProperty("yaxis").GetProperty("type").GetString());
        Assert.Equal("power", figure.GetProperty("layout").GetProperty("yaxis").GetProperty("exponentformat").GetString()); // 10⁻⁴, not 100µ
        Assert.Equal("Loss", figure.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void Log_axes_are_labelled_by_decade_or_at_given_values()
    {
        var line = Charts.Lines([Series.Of("variance", [1, 10, 100, 1000])]);
        var layout = Figure(line.WithLogY().WithLogX([1, 2, 4, 8])).GetProperty("layout");
        Assert.Equal("log", layout.GetProperty("yaxis").GetProperty("type").GetString());
        Assert.Equal(1, layout.GetProperty("yaxis").GetProperty("dtick").GetInt32());
        Assert.Equal("power", layout.GetProperty("yaxis").GetProperty("exponentformat").GetString());
        Assert.Equal("log", layout.GetProperty("xaxis").GetProperty("type").GetString());
        Assert.Equal(["1", "2", "4", "8"], layout.GetProperty("xaxis").GetProperty("ticktext").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void A_dashed_series_stays_visible_on_top_of_a_solid_one()
    {
        var traces = Traces(Figure(Charts.Lines([Series.Of("measured", [1, 2, 3]), Series.Of("predicted", [1, 2, 3]) with { Dashed = true }])));
        Assert.False(traces[0].TryGetProperty("line", out var solid) && solid.TryGetProperty("dash", out _));
        Assert.Equal("dash", traces[1].GetProperty("line").GetProperty("dash").GetString());
    }

    [Fact]
    public void Loss_curves_from_lists_spread_a_shorter_validation_list_over_the_steps()
    {
        var figure = Figure(Charts.LossCurves([4, 3, 2, 1.5, 1.2, 1], [3.5, 1.4]));
        var traces = Traces(figure);
        Assert.Equal(6, traces[0].GetProperty("x").GetArrayLength());
        Assert.Equal([3.0, 6.0], traces[1].GetProperty("x").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal("linear", figure.GetProperty("layout").GetProperty("yaxis").GetProperty("type").GetString());
    }

    [Fact]
    public void Lines_draw_one_trace_per_series_with_the_axis_titles()
    {
        var schedule = LearningRateSchedule.WarmupCosine(1e-3, 10, 100);
        var figure = Figure(Charts.Lines(
            [Series.Function("tanh", Math.Tanh, -3, 3, points: 61), Series.Function("ReLU", v => Math.Max(0, v), -3, 3, points: 61)],
            title: "Activations", xTitle: "z", yTitle: "f(z)"));
        var traces = Traces(figure);
        Assert.Equal(2, traces.Count);
        Assert.Equal(61, traces[1].GetProperty("y").GetArrayLength());
        Assert.Equal(3.0, traces[1].GetProperty("y")[60].GetDouble(), 12);
        Assert.Equal("z", AxisTitle(figure, "xaxis"));
        Assert.Equal("f(z)", AxisTitle(figure, "yaxis"));

        var lr = Traces(Figure(Charts.Lines([Series.OfSteps("warm-up + cosine", schedule, 100)], xTitle: "step", yTitle: "learning rate")));
        Assert.Equal(100, lr[0].GetProperty("x").GetArrayLength());
        Assert.Throws<ArgumentException>(() => Charts.Lines([new Series("bad", [1, 2], [1])]));
    }

    [Fact]
    public void A_heatmap_keeps_repeated_tokens_apart_and_puts_row_zero_at_the_top()
    {
        string[] tokens = ["h", "e", "l", "l", "o"];
        var weights = new float[5, 5];
        for (int q = 0; q < 5; q++)
            for (int k = 0; k <= q; k++) weights[q, k] = 1f / (q + 1); // causal attention, uniform over the past

        var figure = Figure(Charts.Heatmap(weights, tokens, tokens, title: "head 0"));

        var trace = Assert.Single(Traces(figure));
        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        Assert.Equal(5, trace.GetProperty("z").GetArrayLength());
        Assert.Equal(0.5, trace.GetProperty("z")[1][0].GetDouble(), 6);
        Assert.Equal(0.0, trace.GetProperty("z")[1][2].GetDouble());
        var layout = figure.GetProperty("layout");
        Assert.Equal(tokens, layout.GetProperty("xaxis").GetProperty("ticktext").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(tokens, layout.GetProperty("yaxis").GetProperty("ticktext").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("reversed", layout.GetProperty("yaxis").GetProperty("autorange").GetString());
        Assert.Equal("key", AxisTitle(figure, "xaxis"));
        Assert.Equal("query", AxisTitle(figure, "yaxis"));
        Assert.False(layout.GetProperty("xaxis").TryGetProperty("side", out _)); // at the bottom, clear of the title
        Assert.Equal("query l · key e", trace.GetProperty("text")[3][1].GetString()); // hover names cells by their labels

        // A long axis keeps about 16 labels, evenly spaced, so they stay legible.
        var positions = Enumerable.Range(0, 64).Select(i => i.ToString()).ToArray();
        var longAxis = Figure(Charts.Heatmap(new float[64, 64], positions, positions)).GetProperty("layout").GetProperty("xaxis");
        Assert.Equal(["0", "4", "8"], longAxis.GetProperty("ticktext").EnumerateArray().Take(3).Select(t => t.GetString()));
        Assert.Equal(16, longAxis.GetProperty("tickvals").GetArrayLength());
        var characters = Enumerable.Range(0, 52).Select(i => ((char)('A' + i % 26)).ToString() + (i < 26 ? "" : "'")).ToArray();
        var tokenAxis = Figure(Charts.Heatmap(new float[52, 52], characters, characters)).GetProperty("layout").GetProperty("xaxis");
        Assert.Equal(52, tokenAxis.GetProperty("tickvals").GetArrayLength()); // tokens: every one labelled

        using var attention = softmax(randn(3, 4), 1);
        var fromTensor = Traces(Figure(Charts.Heatmap(attention, ["a", "b", "c", "d"], ["x", "y", "z"])))[0];
        Assert.Equal(4, fromTensor.GetProperty("z")[0].GetArrayLength());
        Assert.Throws<ArgumentException>(() => Charts.Heatmap(weights, tokens, ["too", "few"]));

        // The tick labels were set on this chart's own layout, not on a shared default one.
        var after = Figure(Charts.Lines([Series.Of("loss", [1, 2])])).GetProperty("layout");
        Assert.False(after.GetProperty("xaxis").TryGetProperty("ticktext", out _));
        Assert.False(after.GetProperty("yaxis").TryGetProperty("autorange", out _));
    }

    [Fact]
    public void A_decision_boundary_shades_the_predicted_class_over_a_grid_and_plots_each_class()
    {
        using var moons = Synthetic.TwoMoons(60, seed: 1);
        // A stand-in classifier whose boundary is known: class 1 below the line x₂ = 0.25.
        Tensor Predict(Tensor p) => p[.., 1] < 0.25;

        var figure = Figure(Charts.DecisionBoundary(Predict, moons.X, moons.Y, resolution: 30, title: "moons"));

        var traces = Traces(figure);
        Assert.Equal(["heatmap", "scatter", "scatter"], traces.Select(t => t.GetProperty("type").GetString()));
        var z = traces[0].GetProperty("z");
        Assert.Equal(30, z.GetArrayLength());
        Assert.Equal(30, z[0].GetArrayLength());
        var ys = traces[0].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToList();
        for (int row = 0; row < 30; row++)
            Assert.Equal(ys[row] < 0.25 ? 1.0 : 0.0, z[row][0].GetDouble());
        Assert.Equal(moons.Y.eq(0).sum().item<long>(), traces[1].GetProperty("x").GetArrayLength());
        Assert.Equal(moons.Y.eq(1).sum().item<long>(), traces[2].GetProperty("x").GetArrayLength());
        Assert.Equal("x₁", AxisTitle(figure, "xaxis"));
    }

    [Fact]
    public void A_decision_boundary_accepts_a_model_returning_logits()
    {
        using var spirals = Synthetic.Spirals(20, classes: 3, seed: 1);
        var model = nn.Linear(2, 3);
        var figure = Figure(Charts.DecisionBoundary(p => model.call(p), spirals.X, spirals.Y, resolution: 10));
        var traces = Traces(figure);
        Assert.Equal(4, traces.Count); // regions + 3 classes
        Assert.All(traces[0].GetProperty("z").EnumerateArray().SelectMany(r => r.EnumerateArray()), v => Assert.InRange(v.GetDouble(), 0, 2));
    }
}
