using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// A module whose Linear layers can be swapped for a wrapper that forward then calls (LoRA wraps them this way).
/// </summary>
/// <remarks>
/// TorchSharp's forward hooks run only through <c>call</c>, and the GPT's modules call <c>forward</c> directly, so
/// a hook would never fire: the layer itself is replaced instead. The replacement keeps the name, so the state-dict
/// names of the base weights stay the same and existing checkpoints still load.
/// </remarks>
interface ILinearSlots
{
    /// <summary>Replaces the layer held in the field <paramref name="name"/> (e.g. <c>c_attn</c>); returns the one it held.</summary>
    nn.Module<Tensor, Tensor> Replace(string name, nn.Module<Tensor, Tensor> layer);
}

/// <summary>The one implementation of <see cref="ILinearSlots.Replace"/>, for the modules that hold Linear layers.</summary>
static class LinearSlots
{
    /// <summary>
    /// Sets <paramref name="owner"/>'s field <paramref name="name"/> (typed <c>nn.Module&lt;Tensor, Tensor&gt;</c>, so
    /// forward calls whatever it holds) and its entry in <paramref name="submodules"/> (the owner's registered
    /// children, where state-dict names come from), keeping the entry's place.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Replace(nn.Module owner, string name, nn.Module<Tensor, Tensor> layer,
        IDictionary<string, nn.Module> submodules)
    {
        var field = owner.GetType().GetField(name, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
        if (field is null || field.FieldType != typeof(nn.Module<Tensor, Tensor>) || !submodules.ContainsKey(name))
        {
            var names = owner.GetType().GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
                .Where(f => f.FieldType == typeof(nn.Module<Tensor, Tensor>)).Select(f => f.Name);
            throw new ArgumentException($"{owner.GetType().Name} has no replaceable layer '{name}' (it has {string.Join(" and ", names)}).", nameof(name));
        }
        var old = (nn.Module<Tensor, Tensor>)field.GetValue(owner)!;
        field.SetValue(owner, layer);
        submodules[name] = layer;
        return old;
    }
}
