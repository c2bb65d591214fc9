namespace LargeModel.Course;

/// <summary>
/// The "stop" button of a notebook. The notebook engine requests it when a learner interrupts a cell or a
/// cell runs past its time limit; the course's training and generation loops check it between steps, so a
/// long run stops promptly and leaves the model and the notebook's variables intact.
/// </summary>
public static class Interrupt
{
    static CancellationTokenSource source = new();

    /// <summary>Cancelled when the current cell should stop. Pass it on to your own long loops.</summary>
    public static CancellationToken Token => source.Token;

    public static bool Requested => source.IsCancellationRequested;

    /// <summary>Throws <see cref="OperationCanceledException"/> if the cell was interrupted.</summary>
    public static void ThrowIfRequested() => source.Token.ThrowIfCancellationRequested();

    /// <summary>Asks the running cell to stop (called by the engine).</summary>
    public static void Request() => source.Cancel();

    /// <summary>Starts a fresh token for the next cell (called by the engine).</summary>
    public static void Reset()
    {
        if (!source.IsCancellationRequested) return;
        var old = Interlocked.Exchange(ref source, new CancellationTokenSource());
        old.Dispose();
    }
}
