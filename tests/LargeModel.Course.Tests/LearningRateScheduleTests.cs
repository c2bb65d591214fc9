using LargeModel.Course.Optimizers;

namespace LargeModel.Course.Tests;

public class LearningRateScheduleTests
{
    const double Max = 1e-3, Min = 1e-4;
    const long Warmup = 10, Total = 110;

    static double At(long step) => LearningRateSchedule.WarmupCosine(step, Max, Warmup, Total, Min);

    [Fact]
    public void Warm_up_rises_linearly_from_the_first_step_to_the_peak()
    {
        Assert.Equal(Max / Warmup, At(0), 12);
        Assert.Equal(Max * 5 / Warmup, At(4), 12);
        Assert.Equal(Max, At(Warmup - 1), 12);
    }

    [Fact]
    public void Cosine_decay_starts_at_the_peak_passes_the_midpoint_halfway_and_ends_at_the_minimum()
    {
        Assert.Equal(Max, At(Warmup), 12);
        Assert.Equal((Max + Min) / 2, At(Warmup + (Total - Warmup) / 2), 12);
        Assert.Equal(Min, At(Total), 12);
        Assert.Equal(Min, At(Total + 1000), 12);
        for (long step = Warmup; step < Total; step++)
            Assert.True(At(step + 1) <= At(step), $"the rate rose between steps {step} and {step + 1}");
    }

    [Fact]
    public void The_function_form_gives_the_same_values_and_bad_settings_are_refused()
    {
        var schedule = LearningRateSchedule.WarmupCosine(Max, Warmup, Total, Min);
        Assert.Equal(At(37), schedule(37));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupCosine(Max, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WarmupCosine(Max, 1, 10, minLearningRate: 2 * Max));
        Assert.Throws<ArgumentOutOfRangeException>(() => At(-1));
    }
}
