using System.Text.Json.Serialization;

namespace LargeModel.Course.Training;

/// <summary>
/// One optimiser step: <c>Step</c> counts steps taken including this one (1, 2, ...); <c>Loss</c> is the mini-batch
/// loss before the update; <c>GradientNorm</c> is the gradient's L2 norm before clipping, when clipping is on;
/// <c>ValidationLoss</c> is set when a trainer that evaluates every N steps (not every epoch) evaluated at this one.
/// </summary>
public sealed record StepRecord(long Step, int Epoch, double Loss, double LearningRate, double? GradientNorm = null, double? ValidationLoss = null);

/// <summary>One finished epoch: the mean training loss over its batches, and the validation figures after it.</summary>
public sealed record EpochRecord(int Epoch, long Step, double TrainLoss, double? ValidationLoss, double? TrainMetric = null, double? ValidationMetric = null);

/// <summary>
/// What happened during training, step by step and epoch by epoch: what loss-curve charts draw, what early stopping
/// reads, and what a checkpoint carries so a resumed run continues the same curves.
/// </summary>
public sealed class History
{
    public List<StepRecord> Steps { get; init; } = [];
    public List<EpochRecord> Epochs { get; init; } = [];

    /// <summary>The name of the metric in <see cref="EpochRecord.TrainMetric"/>, e.g. <c>accuracy</c>.</summary>
    public string? MetricName { get; set; }

    /// <summary>The run was stopped by its cancellation token; the records are those finished before it.</summary>
    public bool Cancelled { get; set; }

    /// <summary>Early stopping ended the run: validation loss stopped improving for the patience allowed.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>The epoch with the lowest validation loss so far.</summary>
    public int? BestEpoch { get; set; }

    /// <summary>
    /// How both trainers end a run that was asked to stop between steps: the history is marked <see cref="Cancelled"/>
    /// and returned, unless the notebook's stop button (<see cref="Interrupt"/>) asked, which ends the cell too, so
    /// nothing after the training call runs on a half-trained model. The model and the records keep everything up to
    /// the last completed step either way.
    /// </summary>
    internal History StopCancelled()
    {
        Cancelled = true;
        Interrupt.ThrowIfRequested();
        return this;
    }

    /// <summary>Optimiser steps taken.</summary>
    [JsonIgnore] public long StepCount => Steps.Count == 0 ? 0 : Steps[^1].Step;

    /// <summary>Epochs finished.</summary>
    [JsonIgnore] public int EpochCount => Epochs.Count == 0 ? 0 : Epochs[^1].Epoch;

    [JsonIgnore] public IReadOnlyList<double> TrainLosses => Steps.Select(s => s.Loss).ToList();

    /// <summary>The steps at which a step-based trainer evaluated (their <see cref="StepRecord.ValidationLoss"/> is set).</summary>
    [JsonIgnore] public IReadOnlyList<StepRecord> Evaluations => Steps.Where(s => s.ValidationLoss.HasValue).ToList();

    [JsonIgnore] public IReadOnlyList<double> ValidationLosses => Epochs.Where(e => e.ValidationLoss.HasValue).Select(e => e.ValidationLoss!.Value).ToList();

    public override string ToString()
    {
        var last = Epochs.LastOrDefault();
        string status = Cancelled ? ", cancelled" : StoppedEarly ? $", stopped early (best epoch {BestEpoch})" : "";
        return last is null
            ? $"{StepCount} steps{status}"
            : $"{EpochCount} epochs, {StepCount} steps, train loss {last.TrainLoss:G4}" +
              (last.ValidationLoss is double v ? $", validation loss {v:G4}" : "") + status;
    }
}
