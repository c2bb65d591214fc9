namespace LargeModel.Course.Generation;

/// <summary>How <see cref="TextGenerator"/> picks each next token.</summary>
public sealed record SamplingOptions
{
    /// <summary>Divides the logits: below 1 sharpens the distribution, above 1 flattens it; 0 means greedy.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Keep only the k most likely tokens (null: all).</summary>
    public int? TopK { get; init; }

    /// <summary>Keep the smallest set of most likely tokens whose probabilities add up to at least p (null: all).</summary>
    public double? TopP { get; init; }

    /// <summary>Always take the most likely token (no randomness; the other filters do not matter).</summary>
    public bool Greedy { get; init; }

    /// <summary>Tokens to add to each sequence.</summary>
    public int MaxNewTokens { get; init; } = 100;

    /// <summary>Independent continuations of the same prompt, generated together as one batch.</summary>
    public int NumSequences { get; init; } = 1;

    /// <summary>Seed of the sampling generator, for repeatable samples (null: torch's global generator).</summary>
    public long? Seed { get; init; }

    /// <summary>Keep keys and values between steps (feed only the new token) instead of recomputing the whole context.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Whether these options pick the arg-max, with no randomness.</summary>
    public bool IsGreedy => Greedy || Temperature == 0;
}
