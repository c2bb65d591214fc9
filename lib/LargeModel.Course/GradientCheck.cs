using static TorchSharp.torch;

namespace LargeModel.Course;

/// <summary>
/// Checks a gradient the slow, obvious way: nudge each input a little each way and watch the output,
/// ∂f/∂xᵢ ≈ (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε. Lessons compare it with hand-written backprop and with autograd.
/// </summary>
/// <remarks>
/// Central differences have error O(ε²), but ε cannot be tiny or rounding swamps the difference; in float64 with
/// ε = 1e-6 both errors are around 1e-10 relative. In float32 the estimate is only good to about 1e-3, which is why
/// everything here is done in float64.
/// </remarks>
public static class GradientCheck
{
    /// <summary>
    /// The numerical gradient of the scalar function <paramref name="f"/> at <paramref name="x"/>: a float64
    /// tensor shaped like x. f receives a float64 tensor and must return a tensor with one element.
    /// </summary>
    public static Tensor FiniteDifferences(Func<Tensor, Tensor> f, Tensor x, double epsilon = 1e-6)
    {
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        using var noGrad = no_grad();
        using var point = x.detach().to(ScalarType.Float64).cpu().reshape(-1).clone(); // flat, so entry i is easy to nudge
        var values = point.data<double>();
        var gradient = new double[values.Count];
        for (int i = 0; i < gradient.Length; i++)
        {
            double original = values[i];
            values[i] = original + epsilon;
            double plus = Evaluate(f, point, x);
            values[i] = original - epsilon;
            double minus = Evaluate(f, point, x);
            values[i] = original;
            gradient[i] = (plus - minus) / (2 * epsilon);
        }
        return tensor(gradient, dtype: ScalarType.Float64).reshape(x.shape).to(x.device);
    }

    /// <summary>The gradient autograd computes for the same function, in float64, for comparison.</summary>
    public static Tensor Autograd(Func<Tensor, Tensor> f, Tensor x)
    {
        using var scope = NewDisposeScope();
        var point = x.detach().to(ScalarType.Float64).clone().requires_grad_(true);
        var output = f(point);
        if (output.numel() != 1)
            throw new ArgumentException($"The function must return a single number, but it returned shape [{string.Join(", ", output.shape)}].", nameof(f));
        output.backward();
        return point.grad!.clone().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// max |a − n| / max(|a| + |n|, tiny) over all entries, where a is autograd's gradient and n the numerical
    /// one: below about 1e-6 the two agree.
    /// </summary>
    public static double MaxRelativeError(Func<Tensor, Tensor> f, Tensor x, double epsilon = 1e-6)
    {
        using var scope = NewDisposeScope();
        var numerical = FiniteDifferences(f, x, epsilon);
        var analytical = Autograd(f, x);
        var error = (analytical - numerical).abs() / (analytical.abs() + numerical.abs()).clamp_min(1e-12);
        return error.max().item<double>();
    }

    static double Evaluate(Func<Tensor, Tensor> f, Tensor point, Tensor like)
    {
        using var scope = NewDisposeScope();
        var output = f(point.reshape(like.shape).to(like.device));
        if (output.numel() != 1)
            throw new ArgumentException($"The function must return a single number, but it returned shape [{string.Join(", ", output.shape)}].", nameof(f));
        return output.to(ScalarType.Float64).item<double>();
    }
}
