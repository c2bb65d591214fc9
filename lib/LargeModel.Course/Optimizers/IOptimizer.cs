namespace LargeModel.Course.Optimizers;

/// <summary>
/// What a training loop needs from an optimiser: clear the gradients, take a step, change the learning rate
/// (for schedules), and save or restore its state (for checkpoints). The course's from-scratch optimisers
/// implement it, and <see cref="TorchOptimizer"/> wraps TorchSharp's own.
/// </summary>
public interface IOptimizer
{
    /// <summary>A short name for messages and checkpoints, e.g. <c>Adam</c>.</summary>
    string Name { get; }

    /// <summary>η in the update equations. A schedule changes it before every step.</summary>
    double LearningRate { get; set; }

    /// <summary>Sets every parameter's gradient to zero, so the next backward pass does not add to the last one.</summary>
    void ZeroGrad();

    /// <summary>Updates every parameter from its gradient.</summary>
    void Step();

    /// <summary>Writes the state a resumed run needs (step count, moving averages).</summary>
    void SaveState(BinaryWriter writer);

    /// <summary>Reads state written by <see cref="SaveState"/>; a mismatch is an error and changes nothing.</summary>
    void LoadState(BinaryReader reader);
}
