using LargeModel.Course.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.FineTuning;

/// <summary>How <see cref="GptClassifier"/> turns a sequence's hidden states into one vector.</summary>
public enum ClassifierPooling
{
    /// <summary>
    /// The last position's features: in a causal model only the last position has read the whole sequence
    /// (GPT-1's choice for classification). The default.
    /// </summary>
    Last,

    /// <summary>The mean over the positions: every position votes, which is steadier when labels are few.</summary>
    Mean,
}

/// <summary>
/// A GPT body with a classification head: idx <c>(B, T)</c> → class logits <c>(B, C)</c>, from the body's
/// <see cref="Gpt.Features(Tensor)"/> pooled over the positions (<see cref="ClassifierPooling"/>) and one Linear layer.
/// </summary>
/// <remarks>
/// The body's own head (the tied token embedding) is not used for the output; the embedding still reads the input.
/// <see cref="Gpt.Loss"/> takes logits <c>(B, C)</c> and labels <c>(B)</c>, so the language-model trainer trains a
/// classifier too. State-dict names: <c>body.…</c> (the GPT's names under <c>body.</c>) and <c>head.weight</c>,
/// <c>head.bias</c>; freeze <c>^body\.</c> to train the head alone.
/// </remarks>
public sealed class GptClassifier : nn.Module<Tensor, Tensor>
{
    readonly Gpt body;
    readonly Linear head;

    /// <param name="body">A pretrained GPT (shared, not copied: training the classifier trains it) or a fresh one.</param>
    public GptClassifier(Gpt body, int classes, ClassifierPooling pooling = ClassifierPooling.Last) : base(nameof(GptClassifier))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        this.body = body;
        Classes = classes;
        Pooling = pooling;
        var reference = body.TokenEmbedding;
        head = nn.Linear(body.Config.Embedding, classes, dtype: reference.dtype, device: reference.device);
        using (no_grad())
        {
            // Small weights as in the GPT's own initialisation, so the first logits are near uniform.
            nn.init.normal_(head.weight!, 0, 0.02);
            nn.init.zeros_(head.bias!);
        }
        RegisterComponents();
    }

    public Gpt Body => body;

    public Linear Head => head;

    public int Classes { get; }

    public ClassifierPooling Pooling { get; }

    /// <summary>idx <c>(B, T)</c>, every row a whole sequence → logits <c>(B, C)</c>.</summary>
    public override Tensor forward(Tensor idx) => forward(idx, null);

    /// <summary>
    /// Sequences of different lengths, padded on the right to <c>T</c>: row i's real tokens are its first
    /// <c>lengths[i]</c>. A causal model's first <c>lengths[i]</c> positions never see the padding, so the pooled
    /// features (and the logits) are those of the unpadded sequence.
    /// </summary>
    public Tensor forward(Tensor idx, Tensor? lengths)
    {
        using var scope = NewDisposeScope();
        var features = body.Features(idx); // (B, T, E)
        long t = features.shape[1];
        Tensor pooled;
        if (lengths is null)
        {
            pooled = Pooling == ClassifierPooling.Last ? features[.., -1] : features.mean([1]);
        }
        else
        {
            var n = lengths.to(int64).to(features.device);
            if (n.min().item<long>() < 1 || n.max().item<long>() > t)
                throw new ArgumentException($"Every length must be between 1 and the padded length {t}.", nameof(lengths));
            if (Pooling == ClassifierPooling.Last)
            {
                var last = (n - 1).view(-1, 1, 1).expand(-1, 1, features.shape[2]); // (B, 1, E)
                pooled = features.gather(1, last).squeeze(1);
            }
            else
            {
                var mask = (arange(t, device: features.device).unsqueeze(0) < n.unsqueeze(1)).unsqueeze(2).to(features.dtype);
                pooled = (features * mask).sum(1) / n.unsqueeze(1).to(features.dtype);
            }
        }
        return head.forward(pooled).MoveToOuterDisposeScope();
    }
}
