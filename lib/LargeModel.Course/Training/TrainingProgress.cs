using System.Globalization;

namespace LargeModel.Course.Training;

/// <summary>
/// A trainer's report after a step or an epoch: enough for a progress line or a live loss chart in a notebook.
/// </summary>
public sealed record TrainingProgress(
    int Epoch, int LastEpoch, long Step, int Batch, int BatchesPerEpoch,
    double Loss, double? ValidationLoss, double? Metric, double? ValidationMetric,
    double LearningRate, TimeSpan Elapsed, bool EndOfEpoch, History History)
{
    /// <summary>e.g. <c>epoch 3/10  step 120  loss 0.2345  val 0.2456  accuracy 0.931  lr 0.001  2.1 s</c>.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = EndOfEpoch
            ? string.Format(c, "epoch {0}/{1}  step {2}  loss {3:0.0000}", Epoch, LastEpoch, Step, Loss)
            : string.Format(c, "epoch {0}/{1}  batch {2}/{3}  step {4}  loss {5:0.0000}", Epoch, LastEpoch, Batch, BatchesPerEpoch, Step, Loss);
        if (ValidationLoss is double v) text += string.Format(c, "  val {0:0.0000}", v);
        string metric = History.MetricName ?? "metric";
        if (Metric is double m) text += string.Format(c, "  {0} {1:0.000}", metric, m);
        if (ValidationMetric is double vm) text += string.Format(c, "  val {0} {1:0.000}", metric, vm);
        return text + string.Format(c, "  lr {0:G3}  {1:0.0} s", LearningRate, Elapsed.TotalSeconds);
    }

    /// <summary>A ready-made reporter: one line per epoch on the console (or notebook output).</summary>
    public static void PrintEpochs(TrainingProgress progress)
    {
        if (progress.EndOfEpoch) Console.WriteLine(progress);
    }
}
