namespace LargeModel.Course.Tests.Models;

/// <summary>
/// The tests that seed torch's global generator and depend on what it draws next (the models, checkpoints with dropout,
/// optimisers, datasets), and those that use the ambient <see cref="Interrupt"/>: both are process-wide, so these
/// tests run on their own, after the parallel ones, never beside a test that draws from the same generator.
/// </summary>
[CollectionDefinition(nameof(ModelsCollection), DisableParallelization = true)]
public sealed class ModelsCollection;

/// <summary>
/// Runs torch on one thread until disposed. The models in these tests are so small that splitting each operation
/// across threads costs more than it saves, and on a busy machine (CI, parallel builds) waiting for a second thread
/// makes a step many times slower.
/// </summary>
sealed class SingleThread : IDisposable
{
    readonly int previous = get_num_threads();

    public SingleThread() => set_num_threads(1);

    public void Dispose() => set_num_threads(previous);
}
