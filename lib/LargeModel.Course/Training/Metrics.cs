using static TorchSharp.torch;

namespace LargeModel.Course.Training;

/// <summary>Measures of a model's predictions that are easier to read than a loss.</summary>
public static class Metrics
{
    /// <summary>
    /// The fraction of examples classified correctly. <paramref name="output"/> is either logits [n, classes]
    /// (the prediction is the largest) or one logit per example, [n] or [n, 1] (the prediction is 1 when it is
    /// positive, i.e. probability above one half). <paramref name="labels"/> are class indices [n].
    /// </summary>
    public static double Accuracy(Tensor output, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var predicted = output.dim() == 1 || output.shape[^1] == 1
            ? (output.reshape(-1) > 0).to(ScalarType.Int64)
            : output.argmax(-1);
        return predicted.eq(labels.reshape(-1).to(ScalarType.Int64)).to(ScalarType.Float64).mean().item<double>();
    }
}
