using static TorchSharp.torch;

namespace LargeModel.Course.Training;

/// <summary>
/// The losses of lessons 01–05 as plain functions (prediction, target) → scalar, ready to hand to a
/// <see cref="Trainer"/>. TorchSharp's own take optional arguments, so they do not convert to a delegate directly.
/// </summary>
public static class Losses
{
    /// <summary>Mean squared error, mean((ŷ − y)²): regression.</summary>
    public static readonly Func<Tensor, Tensor, Tensor> MeanSquaredError = (prediction, target) => nn.functional.mse_loss(prediction, target);

    /// <summary>Cross-entropy of logits [n, classes] against class indices [n]: softmax and negative log-likelihood in one stable step.</summary>
    public static readonly Func<Tensor, Tensor, Tensor> CrossEntropy = (logits, labels) => nn.functional.cross_entropy(logits, labels);

    /// <summary>
    /// Binary cross-entropy of one logit per example ([n] or [n, 1]) against 0/1 labels: logistic regression.
    /// Labels may be int64; they are compared as floats.
    /// </summary>
    public static readonly Func<Tensor, Tensor, Tensor> BinaryCrossEntropyWithLogits = (logits, labels) =>
        nn.functional.binary_cross_entropy_with_logits(logits.reshape(-1), labels.reshape(-1).to(logits.dtype));
}
