namespace LargeModel.Course.Tests;

[Collection(nameof(Models.ModelsCollection))] // seeds torch's global generator and depends on what it draws next
public class GradientCheckTests
{
    [Fact]
    public void Finite_differences_match_a_gradient_known_by_hand()
    {
        // f(x) = Σ xᵢ³ has ∂f/∂xᵢ = 3xᵢ².
        using var x = tensor(new float[,] { { 1, -2 }, { 0.5f, 3 } });
        using var numerical = GradientCheck.FiniteDifferences(v => v.pow(3).sum(), x);
        Assert.Equal(ScalarType.Float64, numerical.dtype);
        Assert.Equal(x.shape, numerical.shape);
        Assert.Equal([3.0, 12.0, 0.75, 27.0], numerical.data<double>().ToArray(), new DoubleTolerance(1e-6));
    }

    [Fact]
    public void A_linear_layer_with_tanh_agrees_with_autograd_and_a_wrong_gradient_is_caught()
    {
        manual_seed(1);
        using var w = randn(4, 3, dtype: ScalarType.Float64);
        using var input = randn(5, 3, dtype: ScalarType.Float64);
        Tensor Loss(Tensor weights) => input.matmul(weights.t()).tanh().square().mean();

        Assert.True(GradientCheck.MaxRelativeError(Loss, w) < 1e-6);

        // A hand-written backward pass with a deliberate mistake (forgetting tanh') must disagree.
        using var numerical = GradientCheck.FiniteDifferences(Loss, w);
        using var scope = NewDisposeScope();
        var h = input.matmul(w.t()).tanh();
        var wrong = (2 * h / h.numel()).t().matmul(input);
        var right = (2 * h * (1 - h.square()) / h.numel()).t().matmul(input);
        Assert.True((right - numerical).abs().max().item<double>() < 1e-8);
        Assert.True((wrong - numerical).abs().max().item<double>() > 1e-3);
    }

    [Fact]
    public void A_function_that_does_not_return_one_number_is_refused()
    {
        using var x = ones(3);
        var error = Assert.Throws<ArgumentException>(() => GradientCheck.FiniteDifferences(v => v * 2, x));
        Assert.Contains("single number", error.Message);
    }
}

sealed class DoubleTolerance(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(double value) => 0;
}
