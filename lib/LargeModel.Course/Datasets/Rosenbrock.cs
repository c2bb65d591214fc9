using static TorchSharp.torch;

namespace LargeModel.Course.Datasets;

/// <summary>
/// Rosenbrock's banana function f(x, y) = (a − x)² + b·(y − x²)², minimum 0 at (a, a²). Its long, curved, flat
/// valley is where plain gradient descent crawls and momentum and Adam show what they are for: lessons draw the
/// paths optimisers take across it.
/// </summary>
public static class Rosenbrock
{
    /// <summary>f at a point given as a tensor of shape [2] (or [..., 2]); differentiable, for optimiser paths.</summary>
    public static Tensor Value(Tensor point, double a = 1, double b = 100)
    {
        var x = point[TensorIndex.Ellipsis, 0];
        var y = point[TensorIndex.Ellipsis, 1];
        return (a - x).square() + b * (y - x.square()).square();
    }

    /// <summary>f at (x, y) in plain doubles, for contour plots.</summary>
    public static double Value(double x, double y, double a = 1, double b = 100) =>
        (a - x) * (a - x) + b * (y - x * x) * (y - x * x);

    /// <summary>Where f is smallest: (a, a²).</summary>
    public static (double X, double Y) Minimum(double a = 1) => (a, a * a);
}
