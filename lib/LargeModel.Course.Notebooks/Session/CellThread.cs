namespace LargeModel.Course.Notebooks.Session;

/// <summary>
/// Starts a cell on a thread of its own with a large stack. Deep recursion in a lesson should not end the process,
/// and a cell that never yields must not hold the thread of whoever runs it: the kernel keeps answering the front
/// end, and the headless runner's watchdog can give up on the cell from the thread that saves the notebook.
/// </summary>
public static class CellThread
{
    public static Task<CellOutcome> Start(Func<Task<CellOutcome>> run)
    {
        var done = new TaskCompletionSource<CellOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(run().GetAwaiter().GetResult());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, maxStackSize: 64 * 1024 * 1024)
        { IsBackground = true, Name = "cell" };
        thread.Start();
        return done.Task;
    }
}
