using TorchSharp;
using static TorchSharp.torch;

namespace LargeModel.Course.Optimizers;

/// <summary>
/// The shape every optimiser in the lessons shares: a list of parameters θ, a step counter t, and per parameter a
/// few state tensors (a velocity, moving averages). A subclass writes only the update rule for one parameter.
/// </summary>
/// <remarks>
/// The update runs under <c>torch.no_grad()</c>: changing θ is not part of the model's computation, so autograd
/// must not record it. State tensors are kept outside any dispose scope because they live as long as the optimiser.
/// </remarks>
public abstract class Optimizer : IOptimizer, IDisposable
{
    readonly Tensor[] parameters;
    readonly Tensor?[][] state; // state[slot][parameter index], created on first use
    readonly string[] slotNames;

    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate, params string[] slotNames)
    {
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0)
            throw new ArgumentException("The optimiser got no parameters to update. Pass model.parameters().", nameof(parameters));
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive number.");
        LearningRate = learningRate;
        this.slotNames = slotNames;
        state = slotNames.Select(_ => new Tensor?[this.parameters.Length]).ToArray();
    }

    public virtual string Name => GetType().Name;

    public double LearningRate { get; set; }

    /// <summary>t: how many steps have been taken. Adam's bias correction needs it.</summary>
    public long StepCount { get; private set; }

    /// <summary>The parameters this optimiser updates, in order.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    public void ZeroGrad()
    {
        using var scope = NewDisposeScope(); // reading .grad makes a new handle each time
        foreach (var p in parameters)
            p.grad?.zero_();
    }

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        StepCount++;
        for (int i = 0; i < parameters.Length; i++)
        {
            var gradient = parameters[i].grad;
            if (gradient is null) continue; // a parameter that took no part in the loss stays as it is
            Update(i, parameters[i], gradient);
        }
    }

    /// <summary>Applies the update rule to parameter <paramref name="index"/> in place.</summary>
    protected abstract void Update(int index, Tensor parameter, Tensor gradient);

    /// <summary>The state tensor <paramref name="slot"/> of a parameter, starting at zero as the papers do.</summary>
    protected Tensor State(int slot, int index) =>
        state[slot][index] ??= zeros_like(parameters[index]).DetachFromDisposeScope();

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(Name);
        writer.Write(parameters.Length);
        writer.Write(slotNames.Length);
        writer.Write(StepCount);
        writer.Write(LearningRate);
        for (int slot = 0; slot < slotNames.Length; slot++)
            for (int i = 0; i < parameters.Length; i++)
            {
                var tensor = state[slot][i];
                writer.Write(tensor is not null);
                tensor?.Save(writer);
            }
    }

    public void LoadState(BinaryReader reader)
    {
        string name = reader.ReadString();
        if (name != Name)
            throw new InvalidDataException($"The saved optimiser state is for {name}, not {Name}. Create a {name} optimiser to resume this run.");
        int count = reader.ReadInt32(), slots = reader.ReadInt32();
        if (count != parameters.Length || slots != slotNames.Length)
            throw new InvalidDataException($"The saved {name} state has {count} parameters with {slots} state tensors each; this optimiser has {parameters.Length} with {slotNames.Length}.");
        long steps = reader.ReadInt64();
        double learningRate = reader.ReadDouble();

        // Read everything first, so a bad file leaves the optimiser as it was.
        var loaded = new Tensor?[slots][];
        try
        {
            for (int slot = 0; slot < slots; slot++)
            {
                loaded[slot] = new Tensor?[count];
                for (int i = 0; i < count; i++)
                {
                    if (!reader.ReadBoolean()) continue;
                    var tensor = TensorExtensionMethods.Load(reader).DetachFromDisposeScope();
                    loaded[slot][i] = tensor;
                    if (!tensor.shape.SequenceEqual(parameters[i].shape))
                        throw new InvalidDataException(
                            $"The saved {name} state '{slotNames[slot]}' of parameter {i} has shape [{string.Join(", ", tensor.shape)}], but the parameter has shape [{string.Join(", ", parameters[i].shape)}].");
                }
            }
        }
        catch
        {
            foreach (var tensor in loaded.Where(s => s is not null).SelectMany(s => s)) tensor?.Dispose();
            throw;
        }

        for (int slot = 0; slot < slots; slot++)
            for (int i = 0; i < count; i++)
            {
                state[slot][i]?.Dispose();
                state[slot][i] = OnDeviceOf(loaded[slot][i], parameters[i]);
            }
        StepCount = steps;
        LearningRate = learningRate;
    }

    /// <summary>A loaded state tensor moved to its parameter's device (state saved on a GPU can resume on a CPU).</summary>
    static Tensor? OnDeviceOf(Tensor? loaded, Tensor parameter)
    {
        if (loaded is null || (loaded.device_type == parameter.device_type && loaded.device_index == parameter.device_index))
            return loaded;
        var moved = loaded.to(parameter.device).DetachFromDisposeScope();
        loaded.Dispose();
        return moved;
    }

    public void Dispose()
    {
        foreach (var tensor in state.SelectMany(s => s)) tensor?.Dispose();
        GC.SuppressFinalize(this);
    }
}
