using System.Globalization;
using LargeModel.Course.Models;
using LargeModel.Course.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.FineTuning;

/// <summary>
/// The LoRA layers <see cref="LoRA.Apply"/> put on one GPT: train them, merge them into the base for inference, save
/// them alone (a few kilobytes beside a base of megabytes), and load another task's adapter onto the same frozen base.
/// </summary>
public sealed class LoRAAdapter
{
    /// <summary>Where one LoRA layer sits: the parent module and field it replaced, and the Linear it wrapped.</summary>
    internal sealed record Slot(string Name, ILinearSlots Parent, string Field, Linear Original, LoRALinear Layer);

    readonly Gpt gpt;
    readonly List<Slot> slots;
    readonly HashSet<string> trainableBefore;

    internal LoRAAdapter(Gpt gpt, string pattern, int rank, double alpha, List<Slot> slots, HashSet<string> trainableBefore)
    {
        this.gpt = gpt;
        this.slots = slots;
        this.trainableBefore = trainableBefore;
        Pattern = pattern;
        Rank = rank;
        Alpha = alpha;
        Layers = slots.ToDictionary(s => s.Name, s => s.Layer);
    }

    /// <summary>The regular expression that chose the layers.</summary>
    public string Pattern { get; }

    public int Rank { get; }

    public double Alpha { get; }

    /// <summary>The wrapped layers by module name, e.g. <c>h.0.attn.c_attn</c>.</summary>
    public IReadOnlyDictionary<string, LoRALinear> Layers { get; }

    /// <summary>Every A and B: what an optimiser for the adapter updates.</summary>
    public IReadOnlyList<Parameter> Parameters => [.. slots.SelectMany(s => new[] { s.Layer.A, s.Layer.B })];

    /// <summary>The adapter's numbers: the sum of <c>r·(in + out)</c> over the wrapped layers.</summary>
    public long TrainableCount => slots.Sum(s => s.Layer.AdapterParameterCount);

    /// <summary>Whether the updates are merged into the base weights.</summary>
    public bool IsMerged => slots.Count > 0 && slots[0].Layer.IsMerged;

    /// <summary>Whether <see cref="Remove"/> has taken the adapter off the GPT.</summary>
    public bool IsRemoved { get; private set; }

    /// <summary>Adds every layer's <c>scale·B·A</c> into its W: the GPT then runs at the cost of the original.</summary>
    public void Merge()
    {
        ThrowIfRemoved();
        foreach (var s in slots) s.Layer.Merge();
    }

    /// <summary>Subtracts the updates again: the frozen base (up to float rounding) plus the adapter path.</summary>
    public void Unmerge()
    {
        ThrowIfRemoved();
        foreach (var s in slots) s.Layer.Unmerge();
    }

    /// <summary>B = 0 and new A's from <paramref name="seed"/>: the GPT is the base again, ready to learn another task.</summary>
    public void Reset(long seed)
    {
        ThrowIfRemoved();
        WhileUnmerged(() =>
        {
            for (int i = 0; i < slots.Count; i++) slots[i].Layer.Reset(seed + i);
        });
    }

    /// <summary>
    /// Saves A, B and α of every layer (not the base) in the course's checkpoint format (<see cref="Checkpoint"/>):
    /// written atomically, with a checksum.
    /// </summary>
    public void Save(string path)
    {
        ThrowIfRemoved();
        using var state = new AdapterState(slots.Select(s => (s.Name, s.Layer.A.detach().clone(), s.Layer.B.detach().clone())), Alpha);
        Checkpoint.Save(path, state);
    }

    /// <summary>
    /// Loads an adapter saved by <see cref="Save"/> into these layers. The file is read and checked whole first: a
    /// damaged file throws <see cref="InvalidDataException"/>, one saved for other layers, another rank or another α
    /// throws <see cref="CheckpointMismatchException"/>, and in both cases the model is unchanged.
    /// </summary>
    public CheckpointInfo Load(string path)
    {
        ThrowIfRemoved();
        using var state = new AdapterState(slots.Select(s => (s.Name, zeros_like(s.Layer.A), zeros_like(s.Layer.B))), Alpha);
        state.alpha.fill_(double.NaN); // must come from the file
        var info = Checkpoint.Load(path, state);
        double saved = state.alpha.item<double>();
        if (saved != Alpha)
        {
            string difference = string.Create(CultureInfo.InvariantCulture, $"alpha is {saved} in the checkpoint but {Alpha} in this adapter");
            throw new CheckpointMismatchException(
                $"The adapter '{path}' does not fit this adapter: {difference}. Apply LoRA with the α it was trained with.", [difference]);
        }
        WhileUnmerged(() =>
        {
            using var noGrad = no_grad();
            foreach (var s in slots)
            {
                s.Layer.A.copy_(state.Factor(s.Name, "lora_A"));
                s.Layer.B.copy_(state.Factor(s.Name, "lora_B"));
            }
        });
        return info;
    }

    /// <summary>
    /// Takes the adapter off: the original Linear layers go back in place (unmerged first, so W is the base again) and
    /// the parameters that were trainable before <see cref="LoRA.Apply"/> become trainable again.
    /// </summary>
    public void Remove()
    {
        if (IsRemoved) return;
        Unmerge();
        foreach (var s in slots) s.Parent.Replace(s.Field, s.Original);
        foreach (var (name, parameter) in gpt.named_parameters())
            parameter.requires_grad = trainableBefore.Contains(name);
        IsRemoved = true;
    }

    void WhileUnmerged(Action action)
    {
        bool merged = IsMerged;
        Unmerge();
        action();
        if (merged) Merge();
    }

    void ThrowIfRemoved()
    {
        if (IsRemoved) throw new InvalidOperationException("This adapter was removed from its GPT. Apply LoRA again for a new one.");
    }

    /// <summary>What an adapter file holds: each layer's A and B under the GPT's module names, and α.</summary>
    sealed class AdapterState : nn.Module
    {
        internal readonly Tensor alpha;

        public AdapterState(IEnumerable<(string Name, Tensor A, Tensor B)> layers, double alpha) : base(nameof(LoRAAdapter))
        {
            // Buffers, not parameters: nothing here trains, and buffer names may contain dots, so the file lists
            // h.0.attn.c_attn.lora_A as the GPT does.
            foreach (var (name, a, b) in layers)
            {
                register_buffer($"{name}.lora_A", a);
                register_buffer($"{name}.lora_B", b);
            }
            this.alpha = tensor(new[] { alpha }, float64);
            register_buffer(nameof(alpha), this.alpha);
        }

        public Tensor Factor(string layer, string factor) => get_buffer($"{layer}.{factor}")!;
    }
}
