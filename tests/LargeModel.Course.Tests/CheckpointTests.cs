using LargeModel.Course.Datasets;
using LargeModel.Course.Optimizers;
using LargeModel.Course.Training;

namespace LargeModel.Course.Tests;

[Collection(nameof(Models.ModelsCollection))] // seeds torch's global generator and depends on what it draws next
public sealed class CheckpointTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("course-checkpoint-test-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string PathOf(string name) => Path.Combine(folder, name);

    static nn.Module<Tensor, Tensor> Mlp(int hidden = 8, long seed = 1, double dropout = 0)
    {
        manual_seed(seed);
        return dropout > 0
            ? nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Dropout(dropout), nn.Linear(hidden, 1))
            : nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1));
    }

    static float[] Weights(nn.Module model) => model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    static Trainer NewTrainer(nn.Module<Tensor, Tensor> model, Func<nn.Module<Tensor, Tensor>, IOptimizer> optimizer) =>
        new(model, optimizer(model), Losses.MeanSquaredError) { BatchSize = 16, ShuffleSeed = 5 };

    /// <summary>4 epochs straight, versus 2 epochs, save, load into a fresh model and optimiser, 2 more.</summary>
    void ResumesExactly(Func<nn.Module<Tensor, Tensor>, IOptimizer> optimizer, double dropout = 0, bool reseedAfterLoading = false)
    {
        using var data = Synthetic.LinearRegression(96, [1.5f, -0.5f], 0.2f, seed: 3);
        using var validation = Synthetic.LinearRegression(32, [1.5f, -0.5f], 0.2f, seed: 4);

        var straight = NewTrainer(Mlp(dropout: dropout), optimizer);
        straight.Fit(data, validation, epochs: 4);

        var first = NewTrainer(Mlp(dropout: dropout), optimizer);
        first.Fit(data, validation, epochs: 2);
        first.Save(PathOf("half.ckpt"));
        var resumed = NewTrainer(Mlp(seed: 99, dropout: dropout), optimizer); // different initial weights (and generator): all must come from the file
        var info = resumed.Load(PathOf("half.ckpt"));
        if (reseedAfterLoading) manual_seed(123);
        Assert.Equal(2, info.Epoch);
        Assert.Equal(12, info.Step);
        resumed.Fit(data, validation, epochs: 2);

        Assert.Equal(straight.History.Steps.Select(s => s.Loss), resumed.History.Steps.Select(s => s.Loss));
        Assert.Equal(straight.History.Epochs.Select(e => e.ValidationLoss), resumed.History.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(Weights(straight.Model), Weights(resumed.Model));
    }

    [Fact]
    public void Resuming_with_the_course_Adam_continues_the_loss_curve_exactly() =>
        ResumesExactly(m => new Adam(m.parameters(), 0.01));

    [Fact]
    public void Resuming_with_the_course_SGD_with_momentum_continues_the_loss_curve_exactly() =>
        ResumesExactly(m => new SGD(m.parameters(), 0.05, momentum: 0.9));

    [Fact]
    public void Resuming_with_TorchSharp_Adam_continues_the_loss_curve_exactly() =>
        ResumesExactly(m => new TorchOptimizer(optim.Adam(m.parameters(), 0.01, beta1: 0.9, beta2: 0.999)));

    [Fact]
    public void Resuming_a_model_with_dropout_draws_the_same_masks_and_continues_exactly() =>
        ResumesExactly(m => new Adam(m.parameters(), 0.01), dropout: 0.3);

    [Fact]
    public void With_a_reseeded_generator_the_dropout_run_differs_so_the_mask_test_can_fail() =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ResumesExactly(m => new Adam(m.parameters(), 0.01), dropout: 0.3, reseedAfterLoading: true));

    [Fact]
    public void A_format_1_checkpoint_without_the_generator_still_loads()
    {
        var trainer = NewTrainer(Mlp(), m => new Adam(m.parameters(), 0.01));
        using var data = Synthetic.LinearRegression(32, [1.5f, -0.5f], 0.2f, seed: 3);
        trainer.Fit(data, null, epochs: 1);
        trainer.Save(PathOf("new.ckpt"));

        // Rewrite it as format 1 wrote it: no generator bytes, no RandomBytes in the header, the hash over the rest.
        byte[] bytes = File.ReadAllBytes(PathOf("new.ckpt"));
        int magic = "LargeModel.Course checkpoint\n".Length, headerLength = BitConverter.ToInt32(bytes, magic);
        var header = System.Text.Json.Nodes.JsonNode.Parse(bytes.AsSpan(magic + 4, headerLength))!.AsObject();
        long randomBytes = header["RandomBytes"]!.GetValue<long>();
        byte[] payload = bytes[(magic + 4 + headerLength)..^(int)randomBytes];
        header["Format"] = 1;
        header.Remove("RandomBytes");
        header["Sha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(payload));
        byte[] oldHeader = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        File.WriteAllBytes(PathOf("old.ckpt"), [.. bytes[..magic], .. BitConverter.GetBytes(oldHeader.Length), .. oldHeader, .. payload]);

        var resumed = NewTrainer(Mlp(seed: 99), m => new Adam(m.parameters(), 0.01));
        var info = resumed.Load(PathOf("old.ckpt"));
        Assert.Equal(1, info.Format);
        Assert.Equal(0, info.RandomBytes);
        Assert.Equal(Weights(trainer.Model), Weights(resumed.Model));
    }

    [Fact]
    public void Without_the_optimiser_state_the_resumed_curve_differs_so_the_resume_test_can_fail()
    {
        using var data = Synthetic.LinearRegression(96, [1.5f, -0.5f], 0.2f, seed: 3);
        var straight = NewTrainer(Mlp(), m => new Adam(m.parameters(), 0.01));
        straight.Fit(data, epochs: 4);
        var first = NewTrainer(Mlp(), m => new Adam(m.parameters(), 0.01));
        first.Fit(data, epochs: 2);
        Checkpoint.Save(PathOf("weights-only.ckpt"), first.Model, optimizer: null, first.History);
        var resumed = NewTrainer(Mlp(seed: 99), m => new Adam(m.parameters(), 0.01));
        Checkpoint.Load(PathOf("weights-only.ckpt"), resumed.Model);
        resumed.Fit(data, epochs: 2);
        Assert.NotEqual(straight.History.Steps[^1].Loss, resumed.History.Steps[^1].Loss);
    }

    [Fact]
    public void Saving_replaces_the_file_whole_and_leaves_no_temporary_files()
    {
        var model = Mlp();
        string path = PathOf("run/model.ckpt");
        Checkpoint.Save(path, model);
        var before = Weights(model);
        using (no_grad()) foreach (var p in model.parameters()) p.add_(1);
        Checkpoint.Save(path, model);

        Assert.Equal(["model.ckpt"], Directory.GetFiles(PathOf("run")).Select(Path.GetFileName));
        var loaded = Mlp(seed: 2);
        Checkpoint.Load(path, loaded);
        Assert.Equal(Weights(model), Weights(loaded));
        Assert.NotEqual(before, Weights(loaded));
    }

    [Fact]
    public void A_save_that_fails_leaves_the_previous_checkpoint_intact_and_no_temporary_file()
    {
        var model = Mlp();
        string path = PathOf("model.ckpt");
        Checkpoint.Save(path, model);
        byte[] good = File.ReadAllBytes(path);

        // Fails while the optimiser state is written, after the weights were already serialised.
        Assert.Throws<IOException>(() => Checkpoint.Save(path, model, new FailingOptimizer()));
        // Fails at the rename, after the temporary file was written in full: the target is a directory.
        Directory.CreateDirectory(PathOf("taken"));
        Assert.ThrowsAny<IOException>(() => Checkpoint.Save(PathOf("taken"), model));

        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(["model.ckpt"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(PathOf("taken")));
    }

    [Fact]
    public void A_truncated_checkpoint_is_rejected_and_the_model_is_untouched()
    {
        string path = PathOf("model.ckpt");
        var optimizerModel = Mlp();
        Checkpoint.Save(path, optimizerModel, new Adam(optimizerModel.parameters()), new History());
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var model = Mlp(seed: 7);
        var before = Weights(model);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, model, new Adam(model.parameters())));
        Assert.Contains("truncated", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Equal(before, Weights(model));

        File.WriteAllBytes(path, bytes[..20]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, model));
    }

    [Fact]
    public void Garbage_and_damaged_files_are_rejected_with_a_clear_reason()
    {
        string path = PathOf("model.ckpt");
        File.WriteAllText(path, "this is not a checkpoint at all, just some text");
        var model = Mlp();
        Assert.Contains("does not start like a LargeModel.Course checkpoint",
            Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, model)).Message);

        Checkpoint.Save(path, model);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0xFF; // one flipped byte inside the weights
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, model)).Message);

        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(PathOf("missing.ckpt"), model));
    }

    [Fact]
    public void A_checkpoint_of_a_different_model_is_rejected_naming_what_differs()
    {
        string path = PathOf("model.ckpt");
        var small = Mlp(hidden: 8);
        Checkpoint.Save(path, small, new Adam(small.parameters()));

        var wide = Mlp(hidden: 32);
        var before = Weights(wide);
        var error = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, wide, new Adam(wide.parameters())));
        Assert.Contains("0.weight is [8, 2] in the checkpoint but [32, 2] in the model", error.Message);
        Assert.Contains("2.weight is [1, 8] in the checkpoint but [1, 32] in the model", error.Message);
        Assert.Equal(3, error.Differences.Count); // 2.bias is [1] in both
        Assert.Equal(before, Weights(wide));

        var deeper = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Tanh(), nn.Linear(1, 1));
        Assert.Contains("4.weight is in the model but not in the checkpoint",
            Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, deeper)).Message);

        var same = Mlp(hidden: 8);
        Assert.Contains("optimiser: Adam in the checkpoint, SGD given",
            Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path, same, new SGD(same.parameters(), 0.1))).Message);
    }

    [Fact]
    public void The_header_can_be_read_without_loading_and_carries_the_history()
    {
        using var data = Synthetic.LinearRegression(32, [1f, 1f], 0, seed: 1);
        var trainer = NewTrainer(Mlp(), m => new SGD(m.parameters(), 0.05));
        trainer.Fit(data, epochs: 3);
        trainer.Save(PathOf("run.ckpt"));

        var info = Checkpoint.ReadInfo(PathOf("run.ckpt"));

        Assert.Equal(3, info.Epoch);
        Assert.Equal(6, info.Step);
        Assert.Equal("SGD", info.Optimizer);
        Assert.Equal(trainer.History.Steps, info.History.Steps);
        Assert.Equal(["0.weight [8, 2] Float32", "0.bias [8] Float32", "2.weight [1, 8] Float32", "2.bias [1] Float32"],
            info.Model.Select(s => s.ToString()));
    }

    sealed class FailingOptimizer : IOptimizer
    {
        public string Name => "Failing";
        public double LearningRate { get; set; } = 0.1;
        public void ZeroGrad() { }
        public void Step() { }
        public void SaveState(BinaryWriter writer)
        {
            writer.Write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        }
        public void LoadState(BinaryReader reader) { }
    }
}
