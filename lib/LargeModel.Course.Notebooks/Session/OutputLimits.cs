namespace LargeModel.Course.Notebooks.Session;

/// <summary>
/// How much printed text one cell keeps, in the executed notebook and in the kernel's messages to the front end.
/// About 20,000 lines: more is unreadable there and slows every front end that shows or saves it (Jupyter's own
/// front ends truncate long outputs too). Past it, one note says what happened.
/// </summary>
public static class OutputLimits
{
    public const long StreamPerCell = 1_000_000;

    /// <param name="limit">The limit that was passed.</param>
    /// <param name="rest">What happened to the rest, e.g. "the rest is not shown".</param>
    public static string StreamNote(long limit, string rest) =>
        $"\n[Output truncated: this cell printed more than {limit:N0} characters; {rest}. Print less, e.g. every 100th step.]\n";
}
