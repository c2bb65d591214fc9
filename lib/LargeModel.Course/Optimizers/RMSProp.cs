using static TorchSharp.torch;

namespace LargeModel.Course.Optimizers;

/// <summary>
/// RMSProp (Hinton, Coursera lecture 6e): divide each gradient by a running root-mean-square of its recent values,
/// so every parameter moves at a similar pace whatever the scale of its gradient.
/// <code>
/// s ← α·s + (1 − α)·g²
/// θ ← θ − η·g / (√s + ε)
/// </code>
/// With momentum μ &gt; 0 the scaled gradient feeds a velocity instead: b ← μ·b + g/(√s + ε), θ ← θ − η·b.
/// </summary>
public sealed class RMSProp(IEnumerable<Tensor> parameters, double learningRate = 0.01, double alpha = 0.99, double eps = 1e-8, double momentum = 0, double weightDecay = 0)
    : Optimizer(parameters, learningRate, "square_avg", "velocity")
{
    protected override void Update(int index, Tensor parameter, Tensor gradient)
    {
        var g = weightDecay != 0 ? gradient + weightDecay * parameter : gradient;
        var s = State(0, index);
        s.mul_(alpha).add_((1 - alpha) * g * g);
        var scaled = g / (s.sqrt() + eps);
        if (momentum > 0)
        {
            var b = State(1, index);
            b.mul_(momentum).add_(scaled);
            scaled = b;
        }
        parameter.sub_(LearningRate * scaled);
    }
}
