namespace LargeModel.Course.Plots;

/// <summary>One named line of a chart: y against x.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Draw the line dashed: a prediction over a measurement, or any line that may lie on top of another.</summary>
    public bool Dashed { get; init; }

    /// <summary>Values against their position 1, 2, 3... (e.g. a loss per step).</summary>
    public static Series Of(string name, IReadOnlyList<double> y) =>
        new(name, Enumerable.Range(1, y.Count).Select(i => (double)i).ToList(), y);

    /// <summary>A function sampled at <paramref name="points"/> evenly spaced x in [from, to] (e.g. an activation function).</summary>
    public static Series Function(string name, Func<double, double> f, double from, double to, int points = 201)
    {
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "Sample a function at 2 points or more.");
        var x = Enumerable.Range(0, points).Select(i => from + (to - from) * i / (points - 1)).ToList();
        return new(name, x, x.Select(f).ToList());
    }

    /// <summary>A learning-rate schedule (or any function of the step) over steps 0..steps−1.</summary>
    public static Series OfSteps(string name, Func<long, double> f, long steps) =>
        new(name, Enumerable.Range(0, (int)steps).Select(i => (double)i).ToList(), Enumerable.Range(0, (int)steps).Select(i => f(i)).ToList());
}
