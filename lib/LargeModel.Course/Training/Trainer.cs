using System.Diagnostics;
using LargeModel.Course.Datasets;
using LargeModel.Course.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LargeModel.Course.Training;

/// <summary>
/// The training loop of lessons 01–05, written once: for each epoch, for each mini-batch, forward, loss, backward,
/// step; then the validation loss. It records a <see cref="History"/>, reports progress, stops on a NaN loss with
/// advice, stops when cancelled, and can stop early and clip gradients.
/// </summary>
/// <example>
/// <code>
/// var trainer = new Trainer(model, new Adam(model.parameters(), 1e-2), nn.functional.cross_entropy)
/// {
///     BatchSize = 64, Metric = Metrics.Accuracy, OnProgress = TrainingProgress.PrintEpochs,
/// };
/// var history = trainer.Fit(split.Train, split.Validation, epochs: 20);
/// </code>
/// </example>
public sealed class Trainer
{
    public Trainer(nn.Module<Tensor, Tensor> model, IOptimizer optimizer, Func<Tensor, Tensor, Tensor> loss)
    {
        Model = model;
        Optimizer = optimizer;
        Loss = loss;
    }

    /// <summary>A trainer around one of TorchSharp's optimisers, e.g. <c>torch.optim.Adam(model.parameters())</c>.</summary>
    public Trainer(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, Func<Tensor, Tensor, Tensor> loss)
        : this(model, new TorchOptimizer(optimizer), loss) { }

    public nn.Module<Tensor, Tensor> Model { get; }
    public IOptimizer Optimizer { get; }

    /// <summary>loss(prediction, target) → a scalar tensor, e.g. <c>nn.functional.mse_loss</c>.</summary>
    public Func<Tensor, Tensor, Tensor> Loss { get; }

    public int BatchSize { get; init; } = 32;

    /// <summary>Seeds the mini-batch shuffle; epoch e's order depends only on this and e.</summary>
    public long ShuffleSeed { get; init; }

    /// <summary>The learning rate as a function of the step (from 0); when null the optimiser's rate stays as set.</summary>
    public Func<long, double>? Schedule { get; init; }

    /// <summary>When set, gradients are rescaled so their overall L2 norm is at most this, and the norm is recorded.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>metric(prediction, target) → a number, e.g. <see cref="Metrics.Accuracy"/>, reported per epoch.</summary>
    public Func<Tensor, Tensor, double>? Metric { get; init; }

    public string MetricName { get; init; } = "accuracy";

    /// <summary>Early stopping: stop after this many epochs without a validation loss lower than the best by <see cref="MinDelta"/>.</summary>
    public int? Patience { get; init; }

    public double MinDelta { get; init; }

    /// <summary>With early stopping, put back the weights of the best epoch when stopping.</summary>
    public bool RestoreBestWeights { get; init; }

    /// <summary>Called after every epoch, and every <see cref="ReportEverySteps"/> steps if that is set.</summary>
    public Action<TrainingProgress>? OnProgress { get; init; }

    public int ReportEverySteps { get; init; }

    /// <summary>Everything recorded so far, across <see cref="Fit"/> calls and checkpoint loads.</summary>
    public History History { get; private set; } = new();

    /// <summary>
    /// Trains for <paramref name="epochs"/> more epochs (numbering continues from <see cref="History"/>, so a run
    /// resumed from a checkpoint carries on where it stopped). Returns the history; when the token is cancelled the
    /// run stops between steps and the history says so.
    /// </summary>
    public History Fit(Dataset train, Dataset? validation = null, int epochs = 10, CancellationToken cancellation = default)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Train for at least one epoch.");
        if (Patience is not null && validation is null)
            throw new ArgumentException("Early stopping (Patience) watches the validation loss: pass a validation set.", nameof(validation));
        CheckData(train, "training");
        if (validation is not null) CheckData(validation, "validation");
        if (Metric is not null) History.MetricName = MetricName;
        History.Cancelled = false;
        History.StoppedEarly = false;

        var batches = new MiniBatches(train, BatchSize, shuffle: true, seed: ShuffleSeed);
        var clock = Stopwatch.StartNew();
        int first = History.EpochCount + 1, last = History.EpochCount + epochs;
        using var best = new BestWeights(Model);
        double bestLoss = History.Epochs.Where(e => e.ValidationLoss.HasValue).Select(e => e.ValidationLoss!.Value).DefaultIfEmpty(double.PositiveInfinity).Min();
        int epochsWithoutImprovement = 0;

        for (int epoch = first; epoch <= last; epoch++)
        {
            Model.train();
            double lossSum = 0, metricSum = 0;
            long seen = 0;
            foreach (var batch in batches.Epoch(epoch))
            {
                if (cancellation.IsCancellationRequested || Interrupt.Requested) return History.StopCancelled();
                var (loss, metric) = TrainStep(batch, epoch);
                lossSum += loss * batch.Size;
                metricSum += metric * batch.Size;
                seen += batch.Size;
                if (ReportEverySteps > 0 && History.StepCount % ReportEverySteps == 0)
                    OnProgress?.Invoke(new(epoch, last, History.StepCount, batch.Index + 1, batch.Count, loss, null, null, null,
                        Optimizer.LearningRate, clock.Elapsed, false, History));
            }
            if (cancellation.IsCancellationRequested || Interrupt.Requested) return History.StopCancelled();

            double? validationLoss = null, validationMetric = null;
            if (validation is not null) (validationLoss, validationMetric) = Evaluate(validation);
            var record = new EpochRecord(epoch, History.StepCount, lossSum / seen, validationLoss,
                Metric is null ? null : metricSum / seen, validationMetric);
            History.Epochs.Add(record);
            OnProgress?.Invoke(new(epoch, last, History.StepCount, batches.Count, batches.Count, record.TrainLoss, validationLoss,
                record.TrainMetric, validationMetric, Optimizer.LearningRate, clock.Elapsed, true, History));

            if (validationLoss is double current)
            {
                if (current < bestLoss - MinDelta)
                {
                    bestLoss = current;
                    History.BestEpoch = epoch;
                    epochsWithoutImprovement = 0;
                    if (RestoreBestWeights) best.Remember();
                }
                else if (Patience is int patience && ++epochsWithoutImprovement >= patience)
                {
                    History.StoppedEarly = true;
                    if (RestoreBestWeights) best.Restore();
                    break;
                }
            }
        }
        return History;
    }

    /// <summary>One step on one batch, in its own dispose scope so that nothing it makes outlives it.</summary>
    (double Loss, double Metric) TrainStep(Batch batch, int epoch)
    {
        using var scope = NewDisposeScope();
        long step = History.StepCount; // steps taken before this one
        if (Schedule is not null) Optimizer.LearningRate = Schedule(step);

        Optimizer.ZeroGrad();
        var prediction = Model.call(batch.X);
        var loss = Loss(prediction, batch.Y);
        double value = loss.item<float>();
        if (!double.IsFinite(value))
            throw new TrainingDivergedException(step + 1, epoch, value, Optimizer.LearningRate, History);
        loss.backward();

        double? norm = ClipGradNorm is double max ? nn.utils.clip_grad_norm_(Model.parameters(), max) : null;
        Optimizer.Step();
        History.Steps.Add(new StepRecord(step + 1, epoch, value, Optimizer.LearningRate, norm));

        double metric = 0;
        if (Metric is not null)
            using (no_grad()) metric = Metric(prediction.detach(), batch.Y);
        return (value, metric);
    }

    /// <summary>The mean loss (and metric) over a dataset, in evaluation mode and without gradients.</summary>
    public (double Loss, double? Metric) Evaluate(Dataset data)
    {
        CheckData(data, "evaluation");
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            double lossSum = 0, metricSum = 0;
            foreach (var batch in new MiniBatches(data, BatchSize, shuffle: false).Epoch(0))
            {
                using var scope = NewDisposeScope();
                var prediction = Model.call(batch.X);
                lossSum += Loss(prediction, batch.Y).item<float>() * batch.Size;
                if (Metric is not null) metricSum += Metric(prediction, batch.Y) * batch.Size;
            }
            return (lossSum / data.Count, Metric is null ? null : metricSum / data.Count);
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    /// <summary>Refuses, with the fix, data the loop cannot use: an empty set, or one on another device than the model.</summary>
    void CheckData(Dataset data, string role)
    {
        if (data.Count == 0)
            throw new ArgumentException($"The {role} set is empty. Check the split fractions and the data source.");
        var parameter = Model.parameters().FirstOrDefault();
        if (parameter is not null && (parameter.device_type != data.Device.type || parameter.device_index != data.Device.index))
            throw new ArgumentException(
                $"The model is on {parameter.device} but the {role} data is on {data.Device}. Move one of them, e.g. data.To(device) or model.to(device).");
    }

    /// <summary>Saves model, optimiser and history atomically (see <see cref="Checkpoint"/>).</summary>
    public void Save(string path) => Checkpoint.Save(path, Model, Optimizer, History);

    /// <summary>Loads a checkpoint into this trainer's model and optimiser; the next <see cref="Fit"/> continues it.</summary>
    public CheckpointInfo Load(string path)
    {
        var info = Checkpoint.Load(path, Model, Optimizer);
        History = info.History;
        return info;
    }

    /// <summary>A copy of the weights at the best epoch, kept outside the step scopes.</summary>
    sealed class BestWeights(nn.Module model) : IDisposable
    {
        readonly Dictionary<string, Tensor> saved = [];

        public void Remember()
        {
            using var scope = NewDisposeScope(); // disposes the detached views; the clones are kept
            using var noGrad = no_grad();
            foreach (var (name, value) in model.state_dict())
            {
                saved.GetValueOrDefault(name)?.Dispose();
                saved[name] = value.detach().clone().DetachFromDisposeScope();
            }
        }

        public void Restore()
        {
            using var noGrad = no_grad();
            foreach (var (name, value) in model.state_dict())
                if (saved.TryGetValue(name, out var copy)) value.copy_(copy);
        }

        public void Dispose()
        {
            foreach (var tensor in saved.Values) tensor.Dispose();
        }
    }
}
