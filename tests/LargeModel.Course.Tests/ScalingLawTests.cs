using LargeModel.Course.Training;

namespace LargeModel.Course.Tests;

public class ScalingLawTests
{
    static readonly double[] Sizes = Enumerable.Range(0, 8).Select(i => Math.Pow(10, 3 + 3.0 * i / 7)).ToArray(); // 10³ … 10⁶

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
    [InlineData(12, 0.35, 0.9, 1)]
    [InlineData(4, 0.2, 0.5, 2)]
    [InlineData(30, 0.5, 1.2, 3)]
    public void The_fit_recovers_a_known_law_from_noisy_points(double a, double alpha, double floor, int seed)
    {
        var truth = new ScalingLaw(a, alpha, floor);
        var random = new Random(seed);
        // 1% multiplicative noise, more than the spread between repeated training runs of one size.
        var losses = Sizes.Select(n => truth.Loss(n) * (1 + 0.01 * Gaussian(random))).ToArray();
        var fitted = ScalingLaw.Fit(Sizes, losses);

        Assert.InRange(fitted.Alpha, alpha - 0.1 * alpha, alpha + 0.1 * alpha);
        Assert.InRange(fitted.Floor, floor - 0.05 * floor, floor + 0.05 * floor);
        Assert.InRange(Math.Log(fitted.A), Math.Log(a) - 0.3, Math.Log(a) + 0.3);
        Assert.True(fitted.RSquared(Sizes, losses) > 0.99);
        Assert.All(fitted.RelativeResiduals(Sizes, losses), r => Assert.InRange(r, -0.03, 0.03));
        // Between and just beyond the points, the fitted law and the true one agree to about the noise.
        foreach (double n in new[] { 3e3, 3e4, 3e5, 2e6 })
            Assert.InRange(fitted.Loss(n) / truth.Loss(n) - 1, -0.02, 0.02);
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
