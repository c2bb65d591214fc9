using TorchSharp;
using TorchSharp.Modules;

namespace LargeModel.Course.Optimizers;

/// <summary>
/// TorchSharp's own optimisers (<c>torch.optim.Adam(...)</c> and friends) seen through <see cref="IOptimizer"/>, so the
/// course's trainer and checkpoints work with them too once a lesson has shown that ours and theirs agree.
/// </summary>
public sealed class TorchOptimizer(OptimizerHelper optimizer) : IOptimizer
{
    public OptimizerHelper Inner { get; } = optimizer;

    public string Name => Inner.GetType().Name;

    public double LearningRate
    {
        get => Inner.ParamGroups.First().LearningRate;
        set
        {
            foreach (var group in Inner.ParamGroups) group.LearningRate = value;
        }
    }

    public void ZeroGrad() => Inner.zero_grad();

    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        Inner.step();
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(Name);
        Inner.save_state_dict(writer);
    }

    public void LoadState(BinaryReader reader)
    {
        string name = reader.ReadString();
        if (name != Name)
            throw new InvalidDataException($"The saved optimiser state is for {name}, not {Name}. Create a {name} optimiser to resume this run.");
        Inner.load_state_dict(reader);
    }
}
