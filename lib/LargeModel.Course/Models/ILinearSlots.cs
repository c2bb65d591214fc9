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
