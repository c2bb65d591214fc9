using LargeModel.Course.Datasets;
using LargeModel.Course.Optimizers;
using LargeModel.Course.Training;

namespace LargeModel.Course.Tests;

[Collection(nameof(Models.ModelsCollection))] // requests the process-wide Interrupt
public class TrainerTests
{
    static LinearRegressionData Line(int samples = 256, long seed = 0) =>
        Synthetic.LinearRegression(samples, [2f, -1f], 0.5f, noise: 0.1, seed: seed);

    static nn.Module<Tensor, Tensor> Linear(int inputs = 2)
    {
        manual_seed(3);
        return nn.Linear(inputs, 1);
    }

    [Fact]
    public void The_loss_falls_to_the_noise_floor_on_a_linear_problem()
    {
        using var data = Line();
        using var split = data.Split(0.8, 0.2, seed: 1);
        var model = Linear();
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.1), Losses.MeanSquaredError) { BatchSize = 16 };

        var history = trainer.Fit(split.Train, split.Validation, epochs: 15);

        Assert.Equal(15, history.EpochCount);
        Assert.Equal(15 * 13, history.StepCount); // 205 examples in batches of 16 → 13 per epoch
        Assert.True(history.Epochs[^1].ValidationLoss < 0.02, history.ToString()); // noise² = 0.01
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss / 5, history.ToString());
        var w = model.parameters().First().data<float>().ToArray();
        Assert.Equal([2f, -1f], w, new FloatTolerance(0.05f));
    }

    [Fact]
    public void A_classifier_learns_two_moons_and_reports_accuracy_each_epoch()
    {
        using var data = Synthetic.TwoMoons(300, noise: 0.1, seed: 2);
        using var split = data.Split(0.8, 0.2, seed: 2);
        manual_seed(4);
        var model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2));
        var reports = new List<TrainingProgress>();
        var trainer = new Trainer(model, new Adam(model.parameters(), 0.05), Losses.CrossEntropy)
        {
            BatchSize = 40,
            Metric = Metrics.Accuracy,
            OnProgress = reports.Add,
        };

        var history = trainer.Fit(split.Train, split.Validation, epochs: 15);

        Assert.True(history.Epochs[^1].ValidationMetric > 0.95, history.ToString());
        Assert.Equal("accuracy", history.MetricName);
        Assert.Equal(15, reports.Count(r => r.EndOfEpoch));
        Assert.Contains("val accuracy", reports[^1].ToString());
        Assert.Equal(history.Epochs[^1].ValidationLoss, reports[^1].ValidationLoss);
    }

    [Fact]
    public void A_diverging_run_stops_with_the_step_and_advice_and_keeps_finite_weights()
    {
        using var data = Line();
        var model = Linear();
        var trainer = new Trainer(model, new SGD(model.parameters(), 50), Losses.MeanSquaredError) { BatchSize = 32 };

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, epochs: 50));

        Assert.Matches(@"became (NaN|\+Infinity) at step \d+ \(epoch \d+\)", error.Message);
        Assert.Contains("lower learning rate", error.Message);
        Assert.Contains("check", error.Message.ToLowerInvariant());
        Assert.Equal(error.Step - 1, trainer.History.StepCount); // the bad step was not taken
        Assert.All(trainer.History.Steps, s => Assert.True(double.IsFinite(s.Loss)));
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void A_nan_in_the_inputs_is_caught_at_the_first_step()
    {
        using var x = randn(8, 2);
        x[3, 1] = tensor(float.NaN);
        using var data = new Dataset(x, randn(8, 1));
        var model = Linear();
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.1), Losses.MeanSquaredError) { BatchSize = 8 };
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, epochs: 1));
        Assert.Equal(1, error.Step);
        Assert.Contains("NaN at step 1", error.Message);
    }

    [Fact]
    public void Cancelling_stops_between_steps_and_returns_the_history_so_far()
    {
        using var data = Line();
        var model = Linear();
        using var cancel = new CancellationTokenSource();
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.1), Losses.MeanSquaredError)
        {
            BatchSize = 16,
            ReportEverySteps = 1,
            OnProgress = p => { if (p.Step == 20) cancel.Cancel(); },
        };

        var history = trainer.Fit(data, epochs: 100, cancellation: cancel.Token);

        Assert.True(history.Cancelled);
        Assert.Equal(20, history.StepCount);
        Assert.Single(history.Epochs); // the first epoch (16 steps) finished; the second was cut short
        Assert.Contains("cancelled", history.ToString());
    }

    [Fact]
    public void A_notebook_interrupt_stops_training_and_the_cell_while_keeping_the_history()
    {
        using var data = Line();
        var model = Linear();
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.1), Losses.MeanSquaredError)
        {
            BatchSize = 16,
            ReportEverySteps = 1,
            OnProgress = p => { if (p.Step == 20) Interrupt.Request(); },
        };
        try
        {
            Assert.Throws<OperationCanceledException>(() => trainer.Fit(data, epochs: 100));
            Assert.True(trainer.History.Cancelled);
            Assert.Equal(20, trainer.History.StepCount);
        }
        finally
        {
            Interrupt.Reset();
        }
    }

    [Fact]
    public void Memory_stays_flat_across_epochs_with_validation_metric_clipping_and_early_stopping()
    {
        using var data = Line(128);
        using var split = data.Split(0.75, 0.25);
        var model = Linear();
        var trainer = new Trainer(model, new Adam(model.parameters(), 0.01), Losses.MeanSquaredError)
        {
            BatchSize = 16,
            Metric = (p, y) => (p - y).abs().mean().item<float>(),
            MetricName = "mae",
            ClipGradNorm = 1.0,
            Patience = 100,
            RestoreBestWeights = true,
        };
        trainer.Fit(split.Train, split.Validation, epochs: 1); // warm-up: gradients and Adam's state now exist

        long growth = LiveTensors.Growth(() => trainer.Fit(split.Train, split.Validation, epochs: 5));

        Assert.Equal(0, growth);
        Assert.Equal(6, trainer.History.EpochCount);
    }

    [Fact]
    public void Early_stopping_waits_for_patience_and_restores_the_best_weights()
    {
        // Validation data follows the opposite line, so every epoch of training makes validation worse after the first.
        using var train = Line(128);
        using var opposite = new Dataset(train.X.clone(), -train.Y);
        var model = Linear();
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.05), Losses.MeanSquaredError)
        {
            BatchSize = 16,
            Patience = 3,
            RestoreBestWeights = true,
        };

        var history = trainer.Fit(train, opposite, epochs: 50);

        Assert.True(history.StoppedEarly);
        Assert.Equal(1, history.BestEpoch);
        Assert.Equal(1 + 3, history.EpochCount);
        Assert.Equal(history.Epochs[0].ValidationLoss!.Value, trainer.Evaluate(opposite).Loss, 5);
    }

    [Fact]
    public void A_schedule_sets_the_rate_of_every_step_and_clipping_bounds_each_update()
    {
        using var data = Line(64);
        var model = Linear();
        var schedule = LearningRateSchedule.WarmupCosine(0.1, warmupSteps: 4, totalSteps: 16);
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.1), Losses.MeanSquaredError)
        {
            BatchSize = 16,
            Schedule = schedule,
            ClipGradNorm = 0.01,
        };
        var before = model.parameters().Select(p => p.detach().clone()).ToList();

        var history = trainer.Fit(data, epochs: 1);

        Assert.Equal(Enumerable.Range(0, 4).Select(s => schedule(s)), history.Steps.Select(s => s.LearningRate));
        Assert.All(history.Steps, s => Assert.True(s.GradientNorm > 0.01, "the test needs gradients larger than the clip"));
        // Each SGD update is at most η·0.01 in norm, so four steps move the weights by at most Σ η·0.01.
        double bound = history.Steps.Sum(s => s.LearningRate * 0.01) + 1e-6;
        double moved = Math.Sqrt(model.parameters().Zip(before, (p, b) => (p - b).square().sum().item<float>()).Sum());
        Assert.True(moved <= bound, $"moved {moved}, bound {bound}");
        Assert.True(moved > bound / 2);
    }

    [Fact]
    public void Early_stopping_without_a_validation_set_is_refused()
    {
        using var data = Line(16);
        var model = Linear();
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.1), Losses.MeanSquaredError) { Patience = 2 };
        Assert.Contains("validation", Assert.Throws<ArgumentException>(() => trainer.Fit(data)).Message);
    }

    [Fact]
    public void An_empty_validation_set_is_refused_with_what_to_check()
    {
        using var data = Line(16);
        using var empty = new Dataset(zeros(0, 2), zeros(0, 1));
        var model = Linear();
        var trainer = new Trainer(model, new SGD(model.parameters(), 0.1), Losses.MeanSquaredError);
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(data, empty));
        Assert.Contains("validation set is empty", error.Message);
        Assert.Equal(0, trainer.History.StepCount);
    }
}
