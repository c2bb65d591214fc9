using LargeModel.Course.Optimizers;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>The optimiser language models are trained with, as GPT-2 and GPT-3 were.</summary>
public static class GptTraining
{
    /// <summary>
    /// AdamW with weight decay only on parameters with two or more dimensions (weight matrices, embeddings). Biases
    /// and LayerNorm gains are left alone: biases only shift, so shrinking them regularises nothing useful, and pulling
    /// a LayerNorm gain towards zero fights the normalisation. The optimiser
    /// is <see cref="FlatAdamW"/>, which takes the same steps as <c>optim.AdamW</c> with these two groups, faster.
    /// </summary>
    public static FlatAdamW AdamW(nn.Module model, double learningRate, double weightDecay = 0.1, double beta1 = 0.9, double beta2 = 0.95)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        return new FlatAdamW(
            decayed: parameters.Where(p => p.dim() >= 2),
            undecayed: parameters.Where(p => p.dim() < 2),
            learningRate, beta1, beta2, 1e-8, weightDecay);
    }
}
