namespace LargeModel.Course.Optimizers;

/// <summary>
/// Learning rates as pure functions of the step, so a lesson can plot a schedule before training with it and a
/// resumed run picks up exactly where it stopped.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>
    /// Linear warm-up, then cosine decay (as in GPT-2/3 and nanoGPT). Steps count from 0.
    /// <list type="bullet">
    /// <item>step &lt; warmup: rises linearly, η·(step + 1)/warmup, reaching η at step warmup − 1. Adam's second-moment
    /// estimate is poor in the first steps, so big steps then are risky.</item>
    /// <item>warmup ≤ step ≤ total: falls from η to ηmin along half a cosine, slowly at first and at the end.</item>
    /// <item>step &gt; total: stays at ηmin.</item>
    /// </list>
    /// </summary>
    public static double WarmupCosine(long step, double maxLearningRate, long warmupSteps, long totalSteps, double minLearningRate = 0)
    {
        Validate(maxLearningRate, warmupSteps, totalSteps, minLearningRate);
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Steps count from 0.");
        if (step < warmupSteps)
            return maxLearningRate * (step + 1) / warmupSteps;
        if (step >= totalSteps)
            return minLearningRate;
        double progress = (double)(step - warmupSteps) / (totalSteps - warmupSteps); // 0 → 1
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));                  // 1 → 0
        return minLearningRate + cosine * (maxLearningRate - minLearningRate);
    }

    /// <summary>The same schedule as a function, to hand to a trainer.</summary>
    public static Func<long, double> WarmupCosine(double maxLearningRate, long warmupSteps, long totalSteps, double minLearningRate = 0)
    {
        Validate(maxLearningRate, warmupSteps, totalSteps, minLearningRate);
        return step => WarmupCosine(step, maxLearningRate, warmupSteps, totalSteps, minLearningRate);
    }

    /// <summary>A constant learning rate, for comparisons.</summary>
    public static Func<long, double> Constant(double learningRate) => _ => learningRate;

    static void Validate(double max, long warmup, long total, double min)
    {
        if (!(max > 0)) throw new ArgumentOutOfRangeException(nameof(max), max, "The peak learning rate must be positive.");
        if (min < 0 || min > max) throw new ArgumentOutOfRangeException(nameof(min), min, "The final learning rate must be between 0 and the peak.");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "Warm-up steps cannot be negative.");
        if (total <= warmup) throw new ArgumentOutOfRangeException(nameof(total), total, $"The total steps ({total}) must exceed the warm-up steps ({warmup}).");
    }
}
