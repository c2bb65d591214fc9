using LargeModel.Course.Optimizers;
using LargeModel.Course.Training;
using static TorchSharp.torch;

namespace LargeModel.Course.Models;

/// <summary>Optimiser and learning-rate schedule for language models, as GPT-2/3 were trained.</summary>
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

/// <summary>One row of the training history; <see cref="ValLoss"/> is set at evaluation steps.</summary>
public sealed record TrainingRecord(int Step, double TrainLoss, double? ValLoss, double LearningRate);

/// <summary>
/// Trains a language model (any module mapping token ids <c>(B, T)</c> to logits <c>(B, T, V)</c>) on batches the
/// caller supplies: AdamW with decay on matrices only, warm-up and cosine schedule, gradient clipping, evaluation
/// every N steps, checkpoints that resume exactly. Each step runs in its own dispose scope so memory stays flat, and
/// the notebook's stop button (<see cref="Interrupt"/>) is honoured between steps.
/// </summary>
public sealed class LanguageModelTrainer
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly Func<(Tensor X, Tensor Y)> trainBatch;
    readonly Func<(Tensor X, Tensor Y)>? validationBatch;
    readonly List<TrainingRecord> history = [];

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

    /// <summary>Steps taken so far (the next step's number).</summary>
    public int Step { get; private set; }

    /// <summary>One record per step taken.</summary>
    public IReadOnlyList<TrainingRecord> History => history;

    /// <summary>The learning rate the schedule gives a step.</summary>
    public double LearningRateAt(int step) =>
        LearningRateSchedule.WarmupCosine(step, Options.LearningRate, Options.WarmupSteps, Options.DecaySteps, Options.MinLearningRate);

    /// <summary>Takes one optimisation step and returns its record.</summary>
    public TrainingRecord TrainStep(bool evaluate = false)
    {
        Interrupt.ThrowIfRequested();
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
                throw new TrainingDivergedException(Step, trainLoss, lr);
            Optimizer.ZeroGrad();
            loss.backward();
            Optimizer.Step(); // clips the whole gradient first
        }
        double? valLoss = evaluate && validationBatch is not null ? Evaluate(validationBatch, Options.EvalBatches) : null;
        var record = new TrainingRecord(Step, trainLoss, valLoss, lr);
        history.Add(record);
        Step++;
        return record;
    }

    /// <summary>
    /// Trains for <paramref name="steps"/> more steps, evaluating every <see cref="LanguageModelTrainingOptions.EvalInterval"/>
    /// steps and at the last one; <paramref name="onEvaluation"/> sees each evaluated record (e.g. to redraw a chart).
    /// </summary>
    public IReadOnlyList<TrainingRecord> Train(int steps, Action<TrainingRecord>? onEvaluation = null)
    {
        int last = Step + steps - 1;
        var records = new List<TrainingRecord>(steps);
        for (int i = 0; i < steps; i++)
        {
            // A run continued in chunks (Train(250) twice) evaluated at the end of the last chunk: not again one step later.
            bool justEvaluated = history.Count > 0 && history[^1].ValLoss is not null;
            bool evaluate = Options.EvalInterval > 0 && ((Step % Options.EvalInterval == 0 && !justEvaluated) || Step == last);
            var record = TrainStep(evaluate);
            records.Add(record);
            if (record.ValLoss is not null) onEvaluation?.Invoke(record);
        }
        return records;
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
    /// Saves the model, the optimiser's moments, the step and the history to <paramref name="path"/>, in the course's
    /// one checkpoint format (<see cref="Checkpoint"/>): written atomically, checked whole before anything loads.
    /// </summary>
    public void SaveCheckpoint(string path)
    {
        var steps = history.Select(r => new StepRecord(r.Step + 1, 0, r.TrainLoss, r.LearningRate, ValidationLoss: r.ValLoss));
        Checkpoint.Save(path, model, Optimizer, new History { Steps = steps.ToList() });
    }

    /// <summary>
    /// Restores what <see cref="SaveCheckpoint"/> saved into this trainer's model and optimiser; training continues
    /// from the saved step. A damaged file (<see cref="InvalidDataException"/>) or one from a model of other sizes
    /// (<see cref="CheckpointMismatchException"/>) changes nothing.
    /// </summary>
    public void LoadCheckpoint(string path)
    {
        var info = Checkpoint.Load(path, model, Optimizer);
        history.Clear();
        history.AddRange(info.History.Steps.Select(s => new TrainingRecord((int)s.Step - 1, s.Loss, s.ValidationLoss, s.LearningRate)));
        Step = history.Count == 0 ? 0 : history[^1].Step + 1;
    }
}
