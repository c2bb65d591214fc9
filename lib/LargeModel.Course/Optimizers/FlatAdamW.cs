using TorchSharp;
using static TorchSharp.torch;

namespace LargeModel.Course.Optimizers;

/// <summary>
/// AdamW, the same update as <see cref="AdamW"/> and TorchSharp's <c>optim.AdamW</c>, but over one flat buffer.
/// </summary>
/// <remarks>
/// <para>
/// A small GPT has about fifty parameter tensors, most of them small. An optimiser that loops over them runs eight
/// or so tensor operations per parameter per step, four hundred in all, and on a CPU each costs more to launch than
/// to compute. Here every parameter is moved into one contiguous buffer and becomes a view of its slice
/// (<c>set_</c>), so the model reads and writes the buffer without knowing. A step then gathers the gradients into
/// one flat tensor, optionally clips it, and updates the whole buffer with a handful of large operations:
/// </para>
/// <code>
/// g ← cat(∇θ₁, ∇θ₂, …)          one flat gradient; ‖g‖ is one reduction, clipping one multiply
/// θ[decayed] ← (1 − η·λ)·θ[decayed]   the decayed parameters come first, so their slice is one range
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// <para>
/// Two consequences to know. The model's parameters share the buffer from the constructor on: build the optimiser
/// after moving the model to its device, and do not build a second one on the same model (it would take the
/// parameters over into its own buffer). A parameter without a gradient (unused by the loss) is updated as if its
/// gradient were zero, where <c>optim.AdamW</c> skips it; in a GPT every parameter has a gradient.
/// </para>
/// </remarks>
public sealed class FlatAdamW : IOptimizer, IDisposable
{
    readonly Tensor[] parameters; // decayed first, then undecayed; each a view of its slice of `flat`
    readonly Tensor flat, m, v;   // the parameters and Adam's two moments, each one buffer
    readonly long decayedCount;   // how many numbers the decayed parameters hold: flat[..decayedCount]

    /// <param name="decayed">Parameters that get weight decay (in a GPT: the matrices and embeddings).</param>
    /// <param name="undecayed">Parameters that do not (biases, LayerNorm gains).</param>
    public FlatAdamW(IEnumerable<Tensor> decayed, IEnumerable<Tensor> undecayed, double learningRate = 1e-3,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
    {
        Decayed = decayed.ToArray();
        Undecayed = undecayed.ToArray();
        parameters = [.. Decayed, .. Undecayed];
        if (parameters.Length == 0)
            throw new ArgumentException("The optimiser got no parameters to update. Pass the model's parameters.", nameof(decayed));
        var first = parameters[0];
        if (parameters.Any(p => p.dtype != first.dtype || p.device.ToString() != first.device.ToString()))
            throw new ArgumentException(
                "All parameters must have one type and one device to share a buffer: move the whole model with .to(device) (and one dtype) before building the optimiser.");
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive number.");
        Beta1 = beta1 is >= 0 and < 1 ? beta1 : throw new ArgumentOutOfRangeException(nameof(beta1), "β₁ must be in [0, 1).");
        Beta2 = beta2 is >= 0 and < 1 ? beta2 : throw new ArgumentOutOfRangeException(nameof(beta2), "β₂ must be in [0, 1).");
        LearningRate = learningRate;
        Eps = eps;
        WeightDecay = weightDecay;
        decayedCount = Decayed.Sum(p => p.numel());

        long total = parameters.Sum(p => p.numel());
        flat = empty(total, first.dtype, first.device);
        m = zeros(total, first.dtype, first.device);
        v = zeros(total, first.dtype, first.device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            var slice = flat.narrow(0, offset, p.numel()).view(p.shape);
            slice.copy_(p);
            p.set_(slice); // from now on p's numbers live in the buffer; autograd still sees the same leaf
            offset += p.numel();
        }
    }

    public string Name => nameof(FlatAdamW);

    public double LearningRate { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    /// <summary>λ: each step shrinks the decayed parameters by the fraction η·λ.</summary>
    public double WeightDecay { get; }

    /// <summary>
    /// Clip the whole gradient to this L2 norm before the update, as <c>nn.utils.clip_grad_norm_</c> does over all
    /// parameters (null: no clipping). Done here because the flat gradient makes it one reduction and one multiply.
    /// </summary>
    public double? MaxGradNorm { get; set; }

    /// <summary>The parameters that get weight decay.</summary>
    public IReadOnlyList<Tensor> Decayed { get; }

    /// <summary>The parameters that do not.</summary>
    public IReadOnlyList<Tensor> Undecayed { get; }

    /// <summary>t: how many steps have been taken (for the bias correction).</summary>
    public long StepCount { get; private set; }

    /// <summary>Clears every parameter's gradient, so the next backward pass writes a fresh one instead of adding to it.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.grad = null;
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        StepCount++;
        var g = cat(parameters.Select(p => p.grad?.view(-1) ?? zeros(p.numel(), p.dtype, p.device)).ToList(), 0);
        if (MaxGradNorm is double max)
        {
            // As clip_grad_norm_: scale by max/‖g‖ when that is below 1, without reading the norm back (no sync on a GPU).
            var coefficient = (max / (g.norm() + 1e-6)).clamp_max_(1.0);
            g.mul_(coefficient);
        }
        if (WeightDecay != 0 && decayedCount > 0)
            flat.narrow(0, 0, decayedCount).mul_(1 - LearningRate * WeightDecay);
        m.mul_(Beta1).add_(g, alpha: 1 - Beta1);
        v.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
        double biasCorrection2 = 1 - Math.Pow(Beta2, StepCount);
        var denominator = v.sqrt().div_(Math.Sqrt(biasCorrection2)).add_(Eps);
        flat.addcdiv_(m, denominator, value: -LearningRate / biasCorrection1);
    }

    const string StateTag = "FlatAdamW v1";

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(StateTag);
        writer.Write(StepCount);
        writer.Write(LearningRate);
        writer.Write(decayedCount);
        writer.Write(flat.numel());
        m.Save(writer);
        v.Save(writer);
    }

    public void LoadState(BinaryReader reader)
    {
        string tag = reader.ReadString();
        if (tag != StateTag)
            throw new InvalidDataException($"The saved optimiser state is '{tag}', not {StateTag}. Resume with the optimiser the run was saved with.");
        long step = reader.ReadInt64();
        double learningRate = reader.ReadDouble();
        long savedDecayed = reader.ReadInt64(), savedTotal = reader.ReadInt64();
        if (savedDecayed != decayedCount || savedTotal != flat.numel())
            throw new InvalidDataException(
                $"The saved optimiser state is for {savedTotal:N0} numbers ({savedDecayed:N0} decayed); this model has {flat.numel():N0} ({decayedCount:N0}). Build the model with the configuration the run was saved with.");
        // Read both moments before changing anything, so a truncated file leaves the optimiser as it was.
        using var savedM = zeros_like(m);
        using var savedV = zeros_like(v);
        savedM.Load(reader);
        savedV.Load(reader);
        using (no_grad())
        {
            m.copy_(savedM);
            v.copy_(savedV);
        }
        StepCount = step;
        LearningRate = learningRate;
    }

    public void Dispose()
    {
        flat.Dispose(); // the parameters keep the storage alive; this only drops our handle
        m.Dispose();
        v.Dispose();
    }
}
