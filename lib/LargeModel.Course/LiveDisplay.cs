namespace LargeModel.Course;

/// <summary>
/// An output that can be replaced in place: a loss chart redrawn as training goes, a progress line. In a
/// notebook the engine draws it; in a console program it is printed each time.
/// </summary>
public sealed class LiveDisplay
{
    /// <summary>Set by a notebook host: shows a value and returns the function that replaces it.</summary>
    public static Func<object?, Action<object?>>? Host { get; set; }

    readonly Action<object?> update;

    LiveDisplay(Action<object?> update) => this.update = update;

    public static LiveDisplay Show(object? value)
    {
        if (Host is { } host) return new LiveDisplay(host(value));
        Console.WriteLine(value);
        return new LiveDisplay(v => Console.WriteLine(v));
    }

    public void Update(object? value) => update(value);
}
