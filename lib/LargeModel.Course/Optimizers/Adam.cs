using static TorchSharp.torch;

namespace LargeModel.Course.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015): momentum and RMSProp together, with bias correction.
/// <code>
/// m ← β₁·m + (1 − β₁)·g          first moment: a smoothed gradient
/// v ← β₂·v + (1 − β₂)·g²         second moment: a smoothed squared gradient
/// m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   m and v start at 0, so early on they are too small; this undoes that
/// θ ← θ − η·m̂ / (√v̂ + ε)
/// </code>
/// Weight decay here is coupled (an L2 penalty added to g), which Adam's scaling weakens for parameters with large
/// gradients; <see cref="AdamW"/> decouples it.
/// </summary>
public class Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
    : Optimizer(parameters, learningRate, "m", "v")
{
    public double Beta1 { get; } = beta1 is >= 0 and < 1 ? beta1 : throw new ArgumentOutOfRangeException(nameof(beta1), "β₁ must be in [0, 1).");
    public double Beta2 { get; } = beta2 is >= 0 and < 1 ? beta2 : throw new ArgumentOutOfRangeException(nameof(beta2), "β₂ must be in [0, 1).");
    public double Eps { get; } = eps;

    protected override void Update(int index, Tensor parameter, Tensor gradient)
    {
        var g = weightDecay != 0 ? gradient + weightDecay * parameter : gradient;
        AdamUpdate(index, parameter, g);
    }

    /// <summary>The Adam step proper, shared with <see cref="AdamW"/>.</summary>
    protected void AdamUpdate(int index, Tensor parameter, Tensor g)
    {
        var m = State(0, index);
        var v = State(1, index);
        m.mul_(Beta1).add_((1 - Beta1) * g);
        v.mul_(Beta2).add_((1 - Beta2) * g * g);
        double t = StepCount;
        var mHat = m / (1 - Math.Pow(Beta1, t));
        var vHat = v / (1 - Math.Pow(Beta2, t));
        parameter.sub_(LearningRate * mHat / (vHat.sqrt() + Eps));
    }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, 2019): Adam with decoupled weight decay. The parameters shrink towards zero by a
/// fixed fraction η·λ each step, separately from the gradient step, so the decay is the same for every weight:
/// <code>
/// θ ← θ − η·λ·θ
/// θ ← θ − η·m̂ / (√v̂ + ε)      (the Adam step, from the gradient alone)
/// </code>
/// </summary>
public sealed class AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
    : Adam(parameters, learningRate, beta1, beta2, eps, weightDecay: 0)
{
    public double WeightDecay { get; } = weightDecay;

    protected override void Update(int index, Tensor parameter, Tensor gradient)
    {
        parameter.mul_(1 - LearningRate * WeightDecay);
        AdamUpdate(index, parameter, gradient);
    }
}
