using static TorchSharp.torch;

namespace LargeModel.Course.Optimizers;

/// <summary>
/// Stochastic gradient descent, optionally with momentum (Polyak's heavy ball):
/// <code>
/// v ← μ·v + g
/// θ ← θ − η·v
/// </code>
/// With μ = 0 this is plain θ ← θ − η·g. The velocity v remembers the direction of past steps, so it speeds
/// along a long valley and damps the zig-zag across it. Nesterov's variant steps with g + μ·v instead of v: it
/// looks ahead to where the velocity is about to carry θ.
/// </summary>
/// <remarks>Weight decay here is the classic L2 penalty, added to the gradient: g ← g + λ·θ.</remarks>
public sealed class SGD(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
    : Optimizer(parameters, learningRate, "velocity")
{
    public double Momentum { get; } = momentum >= 0 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), "Momentum must be 0 or more.");

    protected override void Update(int index, Tensor parameter, Tensor gradient)
    {
        var g = weightDecay != 0 ? gradient + weightDecay * parameter : gradient;
        if (Momentum != 0)
        {
            var v = State(0, index);
            v.mul_(Momentum).add_(g);
            g = nesterov ? g + Momentum * v : v;
        }
        parameter.sub_(LearningRate * g);
    }
}
