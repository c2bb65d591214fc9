using LargeModel.Course.FineTuning;
using LargeModel.Course.Tests.Models;

namespace LargeModel.Course.Tests.FineTuning;

[Collection(nameof(ModelsCollection))]
public class LoRALinearTests
{
    static LoRALinear Layer(int inputs = 5, int outputs = 4, int rank = 2, double alpha = 3, bool bias = true)
    {
        manual_seed(7);
        var linear = nn.Linear(inputs, outputs, hasBias: bias, dtype: float64);
        var lora = new LoRALinear(linear, rank, alpha, seed: 1);
        using var noGrad = no_grad();
        lora.B.copy_(randn(outputs, rank, dtype: float64)); // a trained B, so A's gradient is not zero
        return lora;
    }

    /// <summary>∂L/∂P for L = Σ y ⊙ R, by autograd and by central differences on each entry of P.</summary>
    static (Tensor Autograd, Tensor Numerical) Gradients(LoRALinear lora, Tensor x, Tensor r, Tensor parameter)
    {
        lora.zero_grad();
        (lora.forward(x) * r).sum().backward();
        var autograd = parameter.grad!.clone();
        var saved = parameter.detach().clone();
        var numerical = GradientCheck.FiniteDifferences(p =>
        {
            using (no_grad()) parameter.copy_(p);
            using var noGrad = no_grad();
            return (lora.forward(x) * r).sum();
        }, saved);
        using (no_grad()) parameter.copy_(saved);
        return (autograd, numerical);
    }

    [Fact]
    public void The_gradients_of_A_B_and_the_input_match_finite_differences()
    {
        using var scope = NewDisposeScope();
        var lora = Layer();
        var x = randn(3, 5, dtype: float64);
        var r = randn(3, 4, dtype: float64);
        foreach (var parameter in new[] { lora.A, lora.B })
        {
            var (autograd, numerical) = Gradients(lora, x, r, parameter);
            Assert.True(autograd.abs().max().item<double>() > 1e-3, "the gradient is not trivially zero");
            Assert.True(Same.MaxDifference(autograd, numerical) < 1e-7, $"autograd {autograd} vs finite differences {numerical}");
        }
        double inputError = GradientCheck.MaxRelativeError(input => (lora.forward(input) * r).sum(), x);
        Assert.True(inputError < 1e-6, $"input gradient relative error {inputError}");
    }

    [Fact]
    public void The_gradient_has_the_closed_form_of_the_low_rank_path_and_W_gets_none()
    {
        // y = W x + b + s·B A x, L = Σ R ⊙ y  ⇒  ∂L/∂B = s·Rᵀ(x Aᵀ), ∂L/∂A = s·(R B)ᵀ x.
        using var scope = NewDisposeScope();
        var lora = Layer();
        var x = randn(3, 5, dtype: float64);
        var r = randn(3, 4, dtype: float64);
        lora.zero_grad();
        (lora.forward(x) * r).sum().backward();
        double s = lora.Scale;
        Assert.True(Same.MaxDifference(lora.B.grad!, s * r.t().matmul(x.matmul(lora.A.t()))) < 1e-12);
        Assert.True(Same.MaxDifference(lora.A.grad!, s * r.matmul(lora.B).t().matmul(x)) < 1e-12);
        Assert.False(lora.Weight.requires_grad);
        Assert.Null(lora.Weight.grad);
        Assert.Equal(1.5, s); // α / r = 3 / 2
    }

    [Fact]
    public void With_B_zero_the_layer_computes_exactly_the_wrapped_Linear()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var linear = nn.Linear(6, 3);
        var x = randn(2, 7, 6);
        var before = linear.forward(x);
        var lora = new LoRALinear(linear, rank: 2, alpha: 4);
        Assert.Equal(0.0, lora.B.abs().sum().item<float>());
        Assert.True(lora.A.abs().sum().item<float>() > 0, "A starts random, or B would never get a gradient");
        Assert.True(lora.A.abs().max().item<float>() <= 1 / Math.Sqrt(6));
        Assert.True(Same.Bits(before, lora.forward(x)));
    }

    [Fact]
    public void Merging_gives_the_same_outputs_and_unmerging_restores_W()
    {
        using var scope = NewDisposeScope();
        var lora = Layer(inputs: 8, outputs: 6, rank: 3);
        var w = lora.Weight.detach().clone();
        var x = randn(4, 8, dtype: float64);
        var unmerged = lora.forward(x);
        Assert.True(Same.MaxDifference(unmerged, nn.functional.linear(x, w, lora.Bias)) > 1e-3, "the adapter changes the output");

        lora.Merge();
        Assert.True(lora.IsMerged);
        Assert.True(Same.MaxDifference(lora.Weight, w + lora.Scale * lora.B.matmul(lora.A)) < 1e-12);
        Assert.True(Same.MaxDifference(unmerged, lora.forward(x)) < 1e-12);
        lora.Merge(); // twice is once
        Assert.True(Same.MaxDifference(unmerged, lora.forward(x)) < 1e-12);

        lora.Unmerge();
        Assert.False(lora.IsMerged);
        Assert.True(Same.MaxDifference(w, lora.Weight) < 1e-12);
        Assert.True(Same.MaxDifference(unmerged, lora.forward(x)) < 1e-12);
    }

    [Fact]
    public void Reset_is_deterministic_by_seed_and_refused_while_merged()
    {
        using var scope = NewDisposeScope();
        var lora = Layer();
        lora.Reset(5);
        var a5 = lora.A.detach().clone();
        Assert.Equal(0.0, lora.B.abs().sum().item<double>());
        lora.Reset(6);
        Assert.False(Same.Bits(a5, lora.A));
        lora.Reset(5);
        Assert.True(Same.Bits(a5, lora.A));
        lora.Merge();
        Assert.Throws<InvalidOperationException>(() => lora.Reset(1));
    }

    [Fact]
    public void Impossible_ranks_and_alphas_are_refused()
    {
        using var linear = nn.Linear(4, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoRALinear(linear, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoRALinear(linear, 4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoRALinear(linear, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoRALinear(linear, 2, double.NaN));
    }
}
