using TorchSharp;

namespace LargeModel.Course;

/// <summary>
/// Counts tensors that were created and not yet disposed on this thread, so a lesson or a test can show that a
/// training step under <c>torch.NewDisposeScope()</c> leaves memory flat.
/// </summary>
public static class LiveTensors
{
    /// <summary>Tensors alive now that were created on this thread.</summary>
    public static long Count => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    /// <summary>How many more tensors are alive after <paramref name="step"/> than before it.</summary>
    public static long Growth(Action step)
    {
        long before = Count;
        step();
        return Count - before;
    }
}
