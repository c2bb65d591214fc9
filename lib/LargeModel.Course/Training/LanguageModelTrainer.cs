using LargeModel.Course.Models;
using LargeModel.Course.Optimizers;
using static TorchSharp.torch;

namespace LargeModel.Course.Training;

/// <summary>Settings of a <see cref="LanguageModelTrainer"/>. Defaults suit the small character-level GPT.</summary>
public sealed record LanguageModelTrainingOptions
{
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Where the cosine ends (one tenth of the peak is the usual choice).</summary>
    public double MinLearningRate { get; init; } = 1e-4;
    public int WarmupSteps { get; init; } = 100;
    /// <summary>The step at which the cosine reaches <see cref="MinLearningRate"/>; usually the total step count.</summary>
    public int DecaySteps { get; init; } = 5000;
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.99;
    /// <summary>Rescale the gradient when its global L2 norm exceeds this (0 or less: no clipping).</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>Evaluate on validation batches every this many steps (and at the last step).</summary>
    public int EvalInterval { get; init; } = 250;
    /// <summary>Validation batches averaged per evaluation.</summary>
    public int EvalBatches { get; init; } = 20;
}

/// <summary>
/// Trains a language model (any module mapping token ids <c>(B, T)</c> to logits <c>(B, T, V)</c>, or a classifier
/// mapping them to <c>(B, C)</c> against labels <c>(B)</c>) on batches the caller supplies: AdamW with decay on
/// matrices only, warm-up and cosine schedule, gradient clipping, evaluation every N steps, checkpoints that resume
/// exactly. The loss is <see cref="Gpt.Loss"/>, so targets equal to -100 (torch's ignore index; e.g. a prompt's
/// positions) take no part in it. Each step runs in its own dispose scope so memory stays flat.
/// </summary>
/// <remarks>
/// It behaves like the epoch <see cref="Trainer"/> of lessons 01–05 wherever the two meet: steps are numbered from 1
/// (<see cref="StepRecord.Step"/> counts the steps taken including that one), the record is a <see cref="Training.History"/>,
/// a cancelled token returns the history marked <see cref="History.Cancelled"/>, the notebook's stop button
/// (<see cref="Interrupt"/>) throws after marking it, a NaN loss throws <see cref="TrainingDivergedException"/>, and
/// <see cref="Save"/>/<see cref="Load"/> use the one <see cref="Checkpoint"/> format.
/// </remarks>
public sealed class LanguageModelTrainer
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly Func<(Tensor X, Tensor Y)> trainBatch;
    readonly Func<(Tensor X, Tensor Y)>? validationBatch;

    public LanguageModelTrainer(
        nn.Module<Tensor, Tensor> model,
        Func<(Tensor X, Tensor Y)> trainBatch,
        Func<(Tensor X, Tensor Y)>? validationBatch = null,
        LanguageModelTrainingOptions? options = null)
    {
        this.model = model;
        this.trainBatch = trainBatch;
        this.validationBatch = validationBatch;
        Options = options ?? new LanguageModelTrainingOptions();
        Optimizer = GptTraining.AdamW(model, Options.LearningRate, Options.WeightDecay, Options.Beta1, Options.Beta2);
        Optimizer.MaxGradNorm = Options.GradClip > 0 ? Options.GradClip : null;
    }

    public LanguageModelTrainingOptions Options { get; }
    /// <summary>The AdamW that updates the model (it also clips the gradient to <see cref="LanguageModelTrainingOptions.GradClip"/>).</summary>
    public FlatAdamW Optimizer { get; }

    /// <summary>Steps taken so far, across <see cref="Train"/> calls and checkpoint loads.</summary>
    public long Step => History.StepCount;

    /// <summary>One record per step taken; <see cref="StepRecord.ValidationLoss"/> is set at evaluation steps.</summary>
    public History History { get; private set; } = new();

    /// <summary>The learning rate the schedule gives the step after <paramref name="stepsTaken"/> steps (0 for the first).</summary>
    public double LearningRateAt(long stepsTaken) =>
        LearningRateSchedule.WarmupCosine(stepsTaken, Options.LearningRate, Options.WarmupSteps, Options.DecaySteps, Options.MinLearningRate);

    /// <summary>Takes one optimisation step (evaluating after it when asked) and returns its record.</summary>
    public StepRecord TrainStep(bool evaluate = false)
    {
        Interrupt.ThrowIfRequested();
        long number = Step + 1;
        double lr = LearningRateAt(Step);
        double trainLoss;
        using (NewDisposeScope())
        {
            model.train();
            Optimizer.LearningRate = lr;
            var (x, y) = trainBatch();
            var loss = Gpt.Loss(model.forward(x), y);
            trainLoss = loss.item<float>();
            if (!double.IsFinite(trainLoss))
                throw new TrainingDivergedException(number, null, trainLoss, lr, History);
            Optimizer.ZeroGrad();
            loss.backward();
            Optimizer.Step(); // clips the whole gradient first
        }
        double? valLoss = evaluate && validationBatch is not null ? Evaluate(validationBatch, Options.EvalBatches) : null;
        var record = new StepRecord(number, 0, trainLoss, lr, ValidationLoss: valLoss);
        History.Steps.Add(record);
        return record;
    }

    /// <summary>
    /// Trains for <paramref name="steps"/> more steps (numbering continues from <see cref="History"/>), evaluating
    /// after the first step, every <see cref="LanguageModelTrainingOptions.EvalInterval"/> steps and after the last;
    /// <paramref name="onEvaluation"/> sees each evaluated record (e.g. to redraw a chart). Returns the whole history;
    /// when <paramref name="cancellation"/> is cancelled the run stops between steps and the history says so.
    /// </summary>
    public History Train(int steps, Action<StepRecord>? onEvaluation = null, CancellationToken cancellation = default)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Train for at least one step.");
        History.Cancelled = false;
        long last = Step + steps;
        int interval = Options.EvalInterval;
        for (int i = 0; i < steps; i++)
        {
            if (cancellation.IsCancellationRequested || Interrupt.Requested) return History.StopCancelled();
            long number = Step + 1;
            bool evaluate = interval > 0 && (number == 1 || number % interval == 0 || number == last);
            var record = TrainStep(evaluate);
            if (record.ValidationLoss is not null) onEvaluation?.Invoke(record);
        }
        return History;
    }

    /// <summary>Mean loss over <paramref name="batches"/> batches, in evaluation mode (no dropout) and without gradients.</summary>
    public double Evaluate(Func<(Tensor X, Tensor Y)> batchSource, int batches)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            double total = 0;
            for (int i = 0; i < batches; i++)
            {
                Interrupt.ThrowIfRequested();
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var (x, y) = batchSource();
                total += Gpt.Loss(model.forward(x), y).item<float>();
            }
            return total / Math.Max(1, batches);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// Saves the model, the optimiser's moments and the history to <paramref name="path"/>, in the course's one
    /// checkpoint format (<see cref="Checkpoint"/>): written atomically, checked whole before anything loads.
    /// </summary>
    public void Save(string path) => Checkpoint.Save(path, model, Optimizer, History);

    /// <summary>
    /// Restores what <see cref="Save"/> saved into this trainer's model and optimiser; training continues from the
    /// saved step. A damaged file (<see cref="InvalidDataException"/>) or one from a model of other sizes
    /// (<see cref="CheckpointMismatchException"/>) changes nothing.
    /// </summary>
    public CheckpointInfo Load(string path)
    {
        var info = Checkpoint.Load(path, model, Optimizer);
        History = info.History;
        return info;
    }
}
