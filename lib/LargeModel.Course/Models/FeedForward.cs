using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// The transformer's feed-forward block (the "MLP"): widen each position to 4× the embedding, apply GELU, narrow
/// back. Attention moves information between positions; this block then processes each position on its own.
/// </summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>, ILinearSlots
{
    // Typed as any module, not Linear, so fine-tuning can wrap them (see ILinearSlots).
    nn.Module<Tensor, Tensor> c_fc;
    nn.Module<Tensor, Tensor> c_proj;
    readonly Dropout dropout;

    public FeedForward(GptConfig config) : base(nameof(FeedForward))
    {
        // 4× is the width GPT-2 and the original transformer use: most of a transformer's parameters live here.
        c_fc = nn.Linear(config.Embedding, 4 * config.Embedding, hasBias: config.Bias);
        c_proj = nn.Linear(4 * config.Embedding, config.Embedding, hasBias: config.Bias);
        dropout = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    // GELU rather than ReLU: a smooth curve that lets small negative values through, as GPT-2 uses.
    public override Tensor forward(Tensor x) =>
        dropout.forward(c_proj.forward(nn.functional.gelu(c_fc.forward(x))));

    nn.Module<Tensor, Tensor> ILinearSlots.Replace(string name, nn.Module<Tensor, Tensor> layer) =>
        LinearSlots.Replace(this, name, layer, _internal_submodules);
}
