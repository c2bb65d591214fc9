using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>
/// Attention by itself does not know where a token is: permute the inputs and the outputs permute the same way.
/// Positional information fixes that by adding a vector that depends on the position to each token's embedding.
/// Two ways to get those vectors: a fixed formula (sinusoidal, from "Attention Is All You Need") or a table learned
/// like the token embeddings (GPT-2 and <see cref="Gpt"/>).
/// </summary>
public static class PositionalEncoding
{
    /// <summary>
    /// The sinusoidal table <c>(positions, width)</c>: PE[pos, 2i] = sin(pos / 10000^(2i/width)),
    /// PE[pos, 2i+1] = cos(pos / 10000^(2i/width)). Each pair of columns is a clock turning at its own speed, from
    /// once every 2π positions down to once every 10000·2π, so every position gets a distinct pattern and a fixed
    /// offset is the same rotation wherever it starts.
    /// </summary>
    public static Tensor Sinusoidal(long positions, long width, Device? device = null)
    {
        if (width % 2 != 0) throw new ArgumentException($"The sinusoidal encoding pairs sines and cosines, so its width must be even (got {width}).");
        using var scope = NewDisposeScope();
        var position = arange(positions, dtype: ScalarType.Float32, device: device).unsqueeze(1);          // (P, 1)
        var frequency = exp(arange(0, width, 2, dtype: ScalarType.Float32, device: device) * (-Math.Log(10000.0) / width)); // (W/2)
        var angle = position * frequency;                                                                      // (P, W/2)
        // Interleave: column 2i is the sine, 2i+1 the cosine of the same angle.
        var table = stack(new[] { angle.sin(), angle.cos() }, dim: 2).reshape(positions, width);
        return table.MoveToOuterDisposeScope();
    }
}

/// <summary>Adds the fixed sinusoidal encoding to a batch of embeddings <c>(B, T, width)</c>. No parameters.</summary>
public sealed class SinusoidalPositionalEncoding : nn.Module<Tensor, Tensor>
{
    readonly Tensor pe;

    public SinusoidalPositionalEncoding(long maxPositions, long width) : base(nameof(SinusoidalPositionalEncoding))
    {
        pe = PositionalEncoding.Sinusoidal(maxPositions, width);
        // A buffer, not a parameter: it moves with the module to a device and is saved with it, but is never trained.
        register_buffer("pe", pe);
    }

    public override Tensor forward(Tensor x) => x + pe.narrow(0, 0, x.shape[1]).to(x.device);
}

/// <summary>Adds a learned position embedding (one trainable vector per position) to embeddings <c>(B, T, width)</c>.</summary>
public sealed class LearnedPositionalEncoding : nn.Module<Tensor, Tensor>
{
    readonly Embedding wpe;

    public LearnedPositionalEncoding(long maxPositions, long width) : base(nameof(LearnedPositionalEncoding))
    {
        wpe = nn.Embedding(maxPositions, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        x + wpe.forward(arange(x.shape[1], dtype: ScalarType.Int64, device: x.device));
}
