using LargeModel.Course.Models;
using LargeModel.Course.Training;

namespace LargeModel.Course.Tests.Models;

[Collection(nameof(ModelsCollection))]
public class LanguageModelTrainerTests
{
    static readonly GptConfig Tiny = new(VocabSize: 10, BlockSize: 16, Layers: 2, Heads: 2, Embedding: 32);

    /// <summary>Random windows of a short pattern repeated over and over: a sequence a GPT can learn by heart.</summary>
    static Func<(Tensor X, Tensor Y)> RepeatedPattern(int batch, int seed)
    {
        var random = new Random(seed);
        int[] pattern = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8 };
        var text = Enumerable.Range(0, 400).Select(i => (long)pattern[i % pattern.Length]).ToArray();
        return () =>
        {
            var x = new long[batch * Tiny.BlockSize];
            var y = new long[batch * Tiny.BlockSize];
            for (int b = 0; b < batch; b++)
            {
                int start = random.Next(text.Length - Tiny.BlockSize - 1);
                Array.Copy(text, start, x, b * Tiny.BlockSize, Tiny.BlockSize);
                Array.Copy(text, start + 1, y, b * Tiny.BlockSize, Tiny.BlockSize);
            }
            return (tensor(x, new long[] { batch, Tiny.BlockSize }), tensor(y, new long[] { batch, Tiny.BlockSize }));
        };
    }

    static LanguageModelTrainingOptions Fast => new() { LearningRate = 3e-3, MinLearningRate = 3e-4, WarmupSteps = 20, DecaySteps = 300, EvalInterval = 50, EvalBatches = 2 };

    [Fact]
    public void A_tiny_GPT_learns_a_repeated_sequence_by_heart()
    {
        using var threads = new SingleThread();
        Seed.All(1);
        using var model = new Gpt(Tiny);
        var trainer = new LanguageModelTrainer(model, RepeatedPattern(8, 1), RepeatedPattern(8, 2), Fast);
        var evaluations = new List<StepRecord>();
        trainer.Train(300, evaluations.Add);
        Assert.Equal(300, trainer.History.Steps.Count);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), trainer.History.Steps.Select(s => s.Step));
        Assert.True(trainer.History.Steps[0].Loss > 2.0, $"starts near ln(10): {trainer.History.Steps[0].Loss}");
        Assert.True(evaluations[^1].ValidationLoss < 0.1, $"validation loss {evaluations[^1].ValidationLoss}");
        Assert.Equal(300, evaluations[^1].Step);
        Assert.Equal(evaluations, trainer.History.Evaluations);
    }

    [Fact]
    public void Training_in_chunks_evaluates_after_the_first_step_every_interval_and_at_each_chunk_end()
    {
        using var threads = new SingleThread();
        using var model = new Gpt(Tiny);
        var batches = RepeatedPattern(2, 1);
        var trainer = new LanguageModelTrainer(model, batches, batches, Fast with { EvalInterval = 10, EvalBatches = 1 });
        var evaluated = new List<long>();
        trainer.Train(10, r => evaluated.Add(r.Step));
        trainer.Train(15, r => evaluated.Add(r.Step));
        Assert.Equal([1, 10, 20, 25], evaluated);
    }

    [Fact]
    public void Training_steps_leave_the_live_tensor_count_flat()
    {
        using var threads = new SingleThread();
        Seed.All(2);
        using var model = new Gpt(Tiny);
        var batches = RepeatedPattern(4, 3);
        var trainer = new LanguageModelTrainer(model, batches, batches, Fast with { EvalInterval = 5 });
        trainer.Train(3); // creates gradients and AdamW's moments, which then live on
        long growth = LiveTensors.Growth(() => trainer.Train(40));
        Assert.Equal(0, growth);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_continues_the_loss_exactly()
    {
        using var threads = new SingleThread();
        string path = Path.Combine(Path.GetTempPath(), $"lmc-checkpoint-{Guid.NewGuid():N}.bin");
        try
        {
            var batches = Enumerable.Range(0, 20).Select(_ => RepeatedPattern(4, 5)()).ToArray();
            int next = 0;
            Seed.All(3);
            using var first = new Gpt(Tiny);
            var trainer = new LanguageModelTrainer(first, () => batches[next++], null, Fast);
            trainer.Train(10);
            trainer.Save(path);
            var continued = trainer.Train(10).Steps.Skip(10).Select(r => r.Loss).ToArray();

            Seed.All(99); // a differently initialised model: everything must come from the checkpoint
            using var second = new Gpt(Tiny);
            next = 10;
            var resumed = new LanguageModelTrainer(second, () => batches[next++], null, Fast);
            resumed.Load(path);
            Assert.Equal(10, resumed.Step);
            Assert.Equal(trainer.History.Steps.Take(10), resumed.History.Steps);
            Assert.Equal(continued, resumed.Train(10).Steps.Skip(10).Select(r => r.Loss).ToArray());
            foreach (var b in batches) { b.X.Dispose(); b.Y.Dispose(); }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_damaged_or_foreign_checkpoint_is_refused_with_advice_and_changes_nothing()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lmc-checkpoint-{Guid.NewGuid():N}.bin");
        try
        {
            Seed.All(4);
            using var model = new Gpt(Tiny);
            var trainer = new LanguageModelTrainer(model, RepeatedPattern(2, 1), null, Fast);
            trainer.Train(2);
            trainer.Save(path);
            var weights = model.parameters().Select(p => p.detach().clone()).ToList();

            // The format before this one (the step trainer's own binary layout) and a file cut short.
            using (var writer = new BinaryWriter(File.Create(path + ".old"))) writer.Write("LargeModel.Course checkpoint v1");
            Assert.Contains("train again", Assert.Throws<InvalidDataException>(() => trainer.Load(path + ".old")).Message);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path + ".cut", bytes[..(bytes.Length - 100)]);
            Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => trainer.Load(path + ".cut")).Message);

            // A checkpoint of a wider model names the difference.
            using var wider = new Gpt(Tiny with { Embedding = 48 });
            var widerTrainer = new LanguageModelTrainer(wider, RepeatedPattern(2, 1), null, Fast);
            var mismatch = Assert.Throws<CheckpointMismatchException>(() => widerTrainer.Load(path));
            Assert.Contains("wte.weight", mismatch.Message);

            Assert.Equal(2, trainer.Step);
            Assert.All(model.parameters().Zip(weights), pair => Assert.Equal(0f, (pair.First - pair.Second).abs().max().item<float>()));
        }
        finally
        {
            foreach (var file in new[] { path, path + ".old", path + ".cut" }) File.Delete(file);
        }
    }

    [Fact]
    public void A_NaN_loss_stops_training_with_a_clear_message()
    {
        using var model = new Gpt(Tiny);
        using (no_grad()) model.TokenEmbedding.fill_(double.NaN);
        var trainer = new LanguageModelTrainer(model, RepeatedPattern(2, 1), null, Fast);
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Train(5));
        Assert.Contains("step 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Step);
        Assert.Same(trainer.History, error.History);
        Assert.Empty(trainer.History.Steps);
        Assert.Contains("learning rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_stops_between_steps_when_interrupted()
    {
        using var threads = new SingleThread();
        using var model = new Gpt(Tiny);
        var batches = RepeatedPattern(2, 1);
        int calls = 0;
        var trainer = new LanguageModelTrainer(model, () => { if (++calls == 4) Interrupt.Request(); return batches(); }, null, Fast);
        try
        {
            Assert.Throws<OperationCanceledException>(() => trainer.Train(100));
        }
        finally
        {
            Interrupt.Reset();
        }
        Assert.Equal(4, trainer.Step);
        Assert.True(trainer.History.Cancelled);
    }

    [Fact]
    public void A_cancelled_token_stops_between_steps_and_returns_the_history_marked_cancelled_like_the_epoch_trainer()
    {
        using var threads = new SingleThread();
        using var model = new Gpt(Tiny);
        using var cancel = new CancellationTokenSource();
        var batches = RepeatedPattern(2, 1);
        int calls = 0;
        var trainer = new LanguageModelTrainer(model, () => { if (++calls == 3) cancel.Cancel(); return batches(); }, null, Fast);
        var history = trainer.Train(100, cancellation: cancel.Token);
        Assert.Same(trainer.History, history);
        Assert.True(history.Cancelled);
        Assert.Equal(3, history.StepCount);
        Assert.False(trainer.Train(2).Cancelled); // the next run starts afresh and carries on the numbering
        Assert.Equal([1L, 2, 3, 4, 5], trainer.History.Steps.Select(s => s.Step));
    }

    [Fact]
    public void A_checkpoint_saved_by_the_earlier_step_trainer_loads_and_training_carries_on_from_its_step()
    {
        // Before the trainers were made one, the step trainer kept 0-based records and wrote them into the one
        // checkpoint format as StepRecord(step + 1, epoch 0, ...). Learners' course caches hold such files.
        using var threads = new SingleThread();
        string path = Path.Combine(Path.GetTempPath(), $"lmc-checkpoint-{Guid.NewGuid():N}.bin");
        try
        {
            Seed.All(6);
            using var saved = new Gpt(Tiny);
            var optimizer = GptTraining.AdamW(saved, 3e-3, 0.1, 0.9, 0.99);
            var earlier = new[] { (Step: 0, Loss: 2.4, Lr: 1.5e-4, Val: (double?)2.3), (1, 2.2, 3e-4, null), (2, 2.0, 4.5e-4, 1.9) };
            var steps = earlier.Select(r => new StepRecord(r.Step + 1, 0, r.Loss, r.Lr, ValidationLoss: r.Val)).ToList();
            Checkpoint.Save(path, saved, optimizer, new History { Steps = steps });

            Seed.All(7);
            using var model = new Gpt(Tiny);
            var trainer = new LanguageModelTrainer(model, RepeatedPattern(2, 1), null, Fast);
            var info = trainer.Load(path);
            Assert.Equal(3, info.Step);
            Assert.Equal(3, trainer.Step);
            Assert.Equal([2.3, 1.9], trainer.History.Evaluations.Select(e => e.ValidationLoss!.Value));
            Assert.All(model.parameters().Zip(saved.parameters()), pair => Assert.Equal(0f, (pair.First - pair.Second).abs().max().item<float>()));
            trainer.Train(2);
            Assert.Equal([1L, 2, 3, 4, 5], trainer.History.Steps.Select(s => s.Step));
            Assert.Equal(trainer.LearningRateAt(3), trainer.History.Steps[3].LearningRate);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
