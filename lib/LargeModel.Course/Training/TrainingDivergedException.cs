namespace LargeModel.Course.Training;

/// <summary>
/// The loss became NaN or infinite, so every later step would only spread NaN through the weights. Training stops
/// before that step's update; the model keeps the last finite weights and <see cref="History"/> the curve so far.
/// </summary>
public sealed class TrainingDivergedException(long step, int? epoch, double loss, double learningRate, History? history)
    : Exception(Describe(step, epoch, loss, learningRate))
{
    /// <summary>The step that diverged, counted from 1 like <see cref="StepRecord.Step"/> in both trainers.</summary>
    public long Step { get; } = step;
    public int? Epoch { get; } = epoch;
    public double Loss { get; } = loss;

    /// <summary>The curve so far (the steps before the one that diverged).</summary>
    public History? History { get; } = history;

    static string Describe(long step, int? epoch, double loss, double learningRate) =>
        $"Training stopped: the loss became {(double.IsNaN(loss) ? "NaN" : loss > 0 ? "+Infinity" : "-Infinity")} at step {step}{(epoch is { } e ? $" (epoch {e})" : "")}, " +
        $"with learning rate {learningRate:G3}. The weights are those from before that step. Things to try: " +
        "a lower learning rate (e.g. 10 times lower); gradient clipping (ClipGradNorm = 1.0); " +
        "checking the inputs and targets for NaN or Infinity and scaling features to a small range; " +
        "and for a hand-written loss, a log or division that can reach zero.";
}
