namespace LargeModel.Course.Notebooks.Session;

/// <summary>A failure inside a cell, located: which line of the cell, what kind, what it said.</summary>
/// <param name="Name">The exception type (e.g. <c>CheckFailedException</c>) or <c>CompilationError</c>.</param>
/// <param name="Message">What the compiler or the exception said.</param>
/// <param name="Line">The 1-based line within the cell, when known.</param>
/// <param name="Traceback">The details a learner may need, cell frames first; no engine internals.</param>
public sealed record CellError(string Name, string Message, int? Line, IReadOnlyList<string> Traceback)
{
    public string Summary => Line is { } line ? $"line {line}: {Name}: {Message}" : $"{Name}: {Message}";
}

/// <summary>How one execution ended.</summary>
public sealed record CellOutcome(int ExecutionCount, CellError? Error, TimeSpan Duration, bool Interrupted = false)
{
    public bool Succeeded => Error is null;
}
