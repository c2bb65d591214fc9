using LargeModel.Course.Training;

namespace LargeModel.Course.Tests;

public class ScalingLawTests
{
    static readonly double[] Sizes = Enumerable.Range(0, 10).Select(i => Math.Pow(10, 3 + 3.0 * i / 9)).ToArray(); // 10³ … 10⁶

    [Fact]
    public void The_fit_recovers_a_known_law_from_exact_points()
    {
        var truth = new ScalingLaw(A: 12, Alpha: 0.35, Floor: 0.9);
        var fitted = ScalingLaw.Fit(Sizes, Sizes.Select(truth.Loss).ToArray());
        Assert.Equal(truth.A, fitted.A, 1e-4 * truth.A);
        Assert.Equal(truth.Alpha, fitted.Alpha, 1e-5);
        Assert.Equal(truth.Floor, fitted.Floor, 1e-5);
    }

    [Theory]
    [InlineData(12, 0.35, 0.9)]
    [InlineData(40, 0.5, 0.3)]   // the shape of lesson 13's sweep: from about 2 down towards a floor of 0.3
    [InlineData(6, 0.25, 1.2)]
    public void The_fit_recovers_a_known_law_from_noisy_points(double a, double alpha, double floor)
    {
        var truth = new ScalingLaw(a, alpha, floor);
        // 20 draws of 0.5% multiplicative noise; the worst draws measured: α off by 9%, the floor by 3%.
        var worst = (Alpha: 0.0, Floor: 0.0, LogA: 0.0, Prediction: 0.0);
        for (int seed = 1; seed <= 20; seed++)
        {
            var random = new Random(seed);
            var losses = Sizes.Select(n => truth.Loss(n) * (1 + 0.005 * Gaussian(random))).ToArray();
            var fitted = ScalingLaw.Fit(Sizes, losses);
            Assert.True(fitted.RSquared(Sizes, losses) > 0.99);
            Assert.All(fitted.RelativeResiduals(Sizes, losses), r => Assert.InRange(r, -0.02, 0.02));
            worst = (Math.Max(worst.Alpha, Math.Abs(fitted.Alpha / alpha - 1)), Math.Max(worst.Floor, Math.Abs(fitted.Floor / floor - 1)),
                Math.Max(worst.LogA, Math.Abs(Math.Log(fitted.A / a))),
                // Between and just beyond the points, the fitted law and the true one agree to about the noise.
                Math.Max(worst.Prediction, new[] { 3e3, 3e4, 3e5, 2e6 }.Max(n => Math.Abs(fitted.Loss(n) / truth.Loss(n) - 1))));
        }
        Assert.InRange(worst.Alpha, 0, 0.15);
        Assert.InRange(worst.Floor, 0, 0.05);
        Assert.InRange(worst.LogA, 0, 0.5);
        Assert.InRange(worst.Prediction, 0, 0.02);
    }

    [Fact]
    public void Points_that_do_not_follow_a_power_law_get_a_poor_score()
    {
        // A loss that first falls, then rises: no power law with a floor follows it, and R² says so.
        var losses = Sizes.Select(n => 2 + Math.Pow(Math.Log10(n) - 4.5, 2)).ToArray();
        var fitted = ScalingLaw.Fit(Sizes, losses);
        Assert.True(fitted.RSquared(Sizes, losses) < 0.5);
    }

    [Fact]
    public void Too_few_sizes_or_bad_losses_are_refused_with_a_reason()
    {
        var two = Assert.Throws<ArgumentException>(() => ScalingLaw.Fit([1e3, 1e4, 1e4], [2, 1.5, 1.4]));
        Assert.Contains("three different sizes", two.Message);
        Assert.Throws<ArgumentException>(() => ScalingLaw.Fit([1e3, 1e4, 1e5], [2, double.NaN, 1.4]));
        Assert.Throws<ArgumentException>(() => ScalingLaw.Fit([1e3, 1e4], [2, 1.5, 1.4]));
    }

    static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
