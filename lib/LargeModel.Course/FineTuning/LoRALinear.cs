using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.FineTuning;

/// <summary>
/// A frozen Linear layer plus a trainable low-rank update (LoRA, Hu et al. 2021):
/// <code>
///   y = W x + b + (α/r) · B (A x)        W (out × in) and b frozen; A (r × in), B (out × r) trained
/// </code>
/// The update <c>B·A</c> has rank at most r, so it costs <c>r·(in + out)</c> numbers instead of <c>in·out</c>.
/// </summary>
/// <remarks>
/// <para>B starts at zero, so at step 0 the layer computes exactly what the pretrained one did; A starts random
/// (uniform in ±1/√in, the bound of kaiming-uniform with a = √5, as the paper's code does) so that B's first gradient,
/// which is proportional to <c>A x</c>, is not zero. Dividing by r means that changing r does not change the size of
/// the update at the start, so a learning rate tuned for one rank works for another.</para>
/// <para>State-dict names: <c>weight</c> and <c>bias</c> are the wrapped layer's own parameters (the same tensors, so
/// the base's names are unchanged), <c>lora_A</c> and <c>lora_B</c> the adapter's.</para>
/// </remarks>
public sealed class LoRALinear : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict names (RegisterComponents registers fields under their names).
    readonly Parameter weight;
    readonly Parameter? bias;
    readonly Parameter lora_A;
    readonly Parameter lora_B;

    /// <summary>Wraps <paramref name="linear"/>, freezing its weight and bias; A is drawn from <paramref name="seed"/>.</summary>
    public LoRALinear(Linear linear, int rank, double alpha, long seed = 0) : base(nameof(LoRALinear))
    {
        CheckArguments(linear, rank, alpha, $"a {linear.weight!.shape[0]}×{linear.weight.shape[1]} layer");
        weight = linear.weight!;
        bias = linear.bias;
        OutFeatures = weight.shape[0];
        InFeatures = weight.shape[1];
        Rank = rank;
        Alpha = alpha;
        weight.requires_grad = false;
        if (bias is not null) bias.requires_grad = false;
        lora_A = new Parameter(empty([rank, InFeatures], weight.dtype, weight.device));
        lora_B = new Parameter(zeros([OutFeatures, rank], weight.dtype, weight.device));
        Reset(seed);
        RegisterComponents();
    }

    public int Rank { get; }

    public double Alpha { get; }

    /// <summary>
    /// Throws unless <paramref name="rank"/> is 1..min(in, out) for <paramref name="linear"/> and α is a positive number.
    /// <see cref="LoRA.Apply"/> calls it for every layer before it changes any, so a refused call changes nothing.
    /// </summary>
    internal static void CheckArguments(Linear linear, int rank, double alpha, string layer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (!(alpha > 0) || !double.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be a positive number.");
        long limit = Math.Min(linear.weight!.shape[0], linear.weight.shape[1]);
        if (rank > limit)
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The rank can be at most min(in, out) = {limit} for {layer}.");
    }

    /// <summary>α / r: the factor on the low-rank update.</summary>
    public double Scale => Alpha / Rank;

    public long InFeatures { get; }

    public long OutFeatures { get; }

    /// <summary>The wrapped layer's weight W (out × in): frozen; changed only by <see cref="Merge"/>.</summary>
    public Parameter Weight => weight;

    /// <summary>The wrapped layer's bias, if it has one: frozen.</summary>
    public Parameter? Bias => bias;

    /// <summary>A (r × in): reads the input down to r numbers.</summary>
    public Parameter A => lora_A;

    /// <summary>B (out × r): writes them back up; zero at the start.</summary>
    public Parameter B => lora_B;

    /// <summary>Whether <c>scale·B·A</c> has been added into W (forward then is the plain Linear).</summary>
    public bool IsMerged { get; private set; }

    /// <summary>The number of trainable numbers the adapter adds: <c>r·(in + out)</c>.</summary>
    public long AdapterParameterCount => Rank * (InFeatures + OutFeatures);

    /// <summary>x <c>(…, in)</c> → <c>(…, out)</c>.</summary>
    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.linear(x, weight, bias);
        if (IsMerged) return y; // the update is inside W already
        // (x Aᵀ) Bᵀ: two thin products, never the full out × in matrix B·A.
        return y + Scale * nn.functional.linear(nn.functional.linear(x, lora_A), lora_B);
    }

    /// <summary>
    /// W ← W + scale·B·A: one matrix again, so inference costs what the original layer cost. For inference: unmerge
    /// before training A and B further.
    /// </summary>
    public void Merge()
    {
        if (IsMerged) return;
        using var noGrad = no_grad();
        using var delta = Delta();
        weight.add_(delta);
        IsMerged = true;
    }

    /// <summary>W ← W − scale·B·A: back to the base weight (equal up to float rounding).</summary>
    public void Unmerge()
    {
        if (!IsMerged) return;
        using var noGrad = no_grad();
        using var delta = Delta();
        weight.sub_(delta);
        IsMerged = false;
    }

    /// <summary>
    /// A new start: B = 0 (the layer computes the base again) and A drawn afresh from <paramref name="seed"/>. The
    /// tensors are written in place, so an optimiser built on them keeps working.
    /// </summary>
    public void Reset(long seed)
    {
        if (IsMerged)
            throw new InvalidOperationException("Unmerge the adapter before resetting it, or W keeps the old update.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator(unchecked((ulong)seed));
        double bound = 1 / Math.Sqrt(InFeatures);
        using var uniform = rand([Rank, InFeatures], dtype: weight.dtype, generator: generator);
        lora_A.copy_(uniform.mul(2 * bound).sub_(bound)); // uniform in [-bound, bound)
        lora_B.zero_();
    }

    /// <summary>The update scale·B·A as a full out × in matrix (for merging and for looking at it).</summary>
    public Tensor Delta()
    {
        using var noGrad = no_grad();
        return lora_B.matmul(lora_A).mul_(Scale);
    }
}
