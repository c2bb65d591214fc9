using LargeModel.Course.FineTuning;
using LargeModel.Course.Models;
using LargeModel.Course.Tests.Models;
using LargeModel.Course.Training;

namespace LargeModel.Course.Tests.FineTuning;

[Collection(nameof(ModelsCollection))]
public sealed class LoRAAdapterTests : IDisposable
{
    static readonly GptConfig Small = new(VocabSize: 11, BlockSize: 8, Layers: 2, Heads: 2, Embedding: 16);

    readonly string folder = Directory.CreateTempSubdirectory("course-lora-test-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string PathOf(string name) => Path.Combine(folder, name);

    static Gpt NewGpt(long seed = 1)
    {
        Seed.All(seed);
        var gpt = new Gpt(Small);
        gpt.eval();
        return gpt;
    }

    /// <summary>
    /// A base trained fully on one task (copy the token), as pretraining would: a freshly initialised GPT's embeddings
    /// (std 0.02) are too small for the tied head to give confident logits, and a frozen base cannot grow them.
    /// </summary>
    static Gpt Pretrained()
    {
        var gpt = NewGpt();
        Train(gpt, shift: 0, steps: 60);
        return gpt;
    }

    static Tensor Inputs() => arange(0, 4 * 8, dtype: int64).remainder(11).view(4, 8);

    /// <summary>A task: after each token, predict (token + shift) mod 11.</summary>
    static Tensor Targets(Tensor x, int shift) => (x + shift).remainder(11);

    static Dictionary<string, Tensor> Snapshot(nn.Module module) =>
        module.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    /// <summary>Trains the adapter's parameters (the only trainable ones) on a task; returns the first and last loss.</summary>
    static (double First, double Last) Train(Gpt gpt, int shift, int steps = 40)
    {
        var optimizer = gpt.ConfigureOptimizer(3e-2, weightDecay: 0);
        var x = Inputs();
        var y = Targets(x, shift);
        double first = 0, last = 0;
        gpt.train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var loss = Gpt.Loss(gpt.forward(x), y);
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
        }
        gpt.eval();
        return (first, last);
    }

    [Fact]
    public void At_step_zero_the_adapted_GPT_computes_exactly_what_the_base_did()
    {
        using var gpt = NewGpt();
        var before = gpt.forward(Inputs());
        LoRA.Apply(gpt);
        Assert.True(Same.Bits(before, gpt.forward(Inputs())));
    }

    [Theory]
    [InlineData(LoRA.AttentionLayers, 4, 6)]   // c_attn: r(E + 3E), c_proj: r(E + E)
    [InlineData(@"mlp\.", 2, 10)]               // c_fc: r(E + 4E), c_proj: r(4E + E)
    [InlineData(@"\.c_proj$", 3, 7)]            // attention's c_proj r(E + E) and the MLP's r(4E + E)
    public void Only_A_and_B_train_after_Apply_and_their_count_follows_the_formula(string pattern, int rank, int perLayerMultiple)
    {
        using var gpt = NewGpt();
        var adapter = LoRA.Apply(gpt, pattern, rank);
        long expected = Small.Layers * perLayerMultiple * rank * Small.Embedding;
        Assert.Equal(expected, adapter.TrainableCount);
        Assert.Equal(expected, Freezing.Trainable(gpt));
        Assert.Equal(expected, adapter.Parameters.Sum(p => p.numel()));
        Assert.All(gpt.named_parameters().Where(p => p.parameter.requires_grad),
            p => Assert.Matches(@"\.lora_[AB]$", p.name));
        Assert.Equal(GptConfig.ParameterCount(Small) + expected, Freezing.Total(gpt));
    }

    [Fact]
    public void The_base_keeps_its_state_dict_names_so_its_checkpoints_still_load()
    {
        using var base1 = NewGpt(1);
        var names = base1.state_dict().Keys.ToHashSet();
        Checkpoint.Save(PathOf("base.ckpt"), base1);

        using var gpt = NewGpt(2);
        var adapter = LoRA.Apply(gpt);
        var adaptedNames = gpt.state_dict().Keys.ToHashSet();
        Assert.Subset(adaptedNames, names);
        Assert.All(adaptedNames.Except(names), name => Assert.Matches(@"^h\.\d\.attn\.c_(attn|proj)\.lora_[AB]$", name));
        Assert.Equal(4 * Small.Layers, adaptedNames.Count - names.Count);
        // In the same order, too: each wrapped layer keeps its place among its siblings.
        Assert.Equal(base1.state_dict().Keys, gpt.state_dict().Keys.Where(names.Contains));

        adapter.Remove();
        Assert.Equal(names, gpt.state_dict().Keys.ToHashSet());
        Checkpoint.Load(PathOf("base.ckpt"), gpt);
        Assert.True(Same.Bits(base1.forward(Inputs()), gpt.forward(Inputs())));
        Assert.Equal(GptConfig.ParameterCount(Small), Freezing.Trainable(gpt)); // trainable again, as before Apply
    }

    [Fact]
    public void LoRA_lowers_the_loss_while_the_base_weights_stay_bit_identical()
    {
        using var gpt = Pretrained();
        var baseWeights = Snapshot(gpt);
        var adapter = LoRA.Apply(gpt, rank: 4);
        var (first, last) = Train(gpt, shift: 3);
        Assert.True(last < 0.5 * first, $"loss {first:F3} → {last:F3}");
        foreach (var (name, p) in gpt.named_parameters().Where(p => !p.name.Contains("lora_", StringComparison.Ordinal)))
            Assert.True(Same.Bits(p, baseWeights[name]), $"{name} changed");
        Assert.All(adapter.Layers.Values, layer => Assert.True(layer.B.abs().sum().item<float>() > 0));
    }

    [Fact]
    public void Merging_the_trained_adapter_gives_the_same_outputs()
    {
        using var gpt = NewGpt();
        var adapter = LoRA.Apply(gpt);
        Train(gpt, shift: 3, steps: 10);
        var unmerged = gpt.forward(Inputs());
        var w = adapter.Layers["h.0.attn.c_attn"].Weight.detach().clone();
        adapter.Merge();
        Assert.True(adapter.IsMerged);
        Assert.False(Same.Bits(w, adapter.Layers["h.0.attn.c_attn"].Weight));
        Assert.True(Same.MaxDifference(unmerged, gpt.forward(Inputs())) < 1e-4);
        adapter.Unmerge();
        Assert.True(Same.MaxDifference(w, adapter.Layers["h.0.attn.c_attn"].Weight) < 1e-6);
    }

    [Fact]
    public void Two_adapters_on_one_frozen_base_give_each_task_its_outputs_back()
    {
        using var gpt = Pretrained();
        var baseOutput = gpt.forward(Inputs());
        var adapter = LoRA.Apply(gpt);

        Train(gpt, shift: 3);
        var task1 = gpt.forward(Inputs());
        adapter.Save(PathOf("shift3.lora"));

        adapter.Reset(seed: 100);
        Assert.True(Same.Bits(baseOutput, gpt.forward(Inputs())));
        Train(gpt, shift: 5);
        var task2 = gpt.forward(Inputs());
        adapter.Save(PathOf("shift5.lora"));
        Assert.True(Same.MaxDifference(task1, task2) > 0.1);

        adapter.Load(PathOf("shift3.lora"));
        Assert.True(Same.Bits(task1, gpt.forward(Inputs())));
        Assert.Equal(Targets(Inputs(), 3).data<long>().ToArray(), gpt.forward(Inputs()).argmax(-1).data<long>().ToArray());
        adapter.Load(PathOf("shift5.lora"));
        Assert.True(Same.Bits(task2, gpt.forward(Inputs())));
        Assert.Equal(Targets(Inputs(), 5).data<long>().ToArray(), gpt.forward(Inputs()).argmax(-1).data<long>().ToArray());

        // Loading onto a merged adapter swaps the merged update too.
        adapter.Merge();
        adapter.Load(PathOf("shift3.lora"));
        Assert.True(adapter.IsMerged);
        Assert.True(Same.MaxDifference(task1, gpt.forward(Inputs())) < 1e-4);
    }

    [Fact]
    public void An_adapter_file_is_small_and_holds_only_A_B_and_alpha()
    {
        using var gpt = NewGpt();
        var adapter = LoRA.Apply(gpt);
        adapter.Save(PathOf("a.lora"));
        var info = Checkpoint.ReadInfo(PathOf("a.lora"));
        Assert.Equal(adapter.Layers.Count * 2 + 1, info.Model.Count);
        Assert.Contains(info.Model, s => s.Name == "h.1.attn.c_proj.lora_B" && s.Shape.SequenceEqual(new long[] { 16, 4 }));
        Assert.Contains(info.Model, s => s.Name == "alpha");
        Assert.DoesNotContain(info.Model, s => s.Name.EndsWith(".weight", StringComparison.Ordinal));
    }

    [Fact]
    public void A_damaged_or_mismatched_adapter_file_is_rejected_and_changes_nothing()
    {
        using var gpt = NewGpt();
        var adapter = LoRA.Apply(gpt);
        Train(gpt, shift: 3, steps: 5);
        adapter.Save(PathOf("good.lora"));
        var trained = Snapshot(gpt);

        // Another task's adapter in memory; every failed load below must leave it as it is.
        adapter.Reset(9);
        Train(gpt, shift: 5, steps: 5);
        var current = Snapshot(gpt);
        void Unchanged()
        {
            foreach (var (name, p) in gpt.named_parameters())
                Assert.True(Same.Bits(p, current[name]), $"{name} changed by a failed load");
        }

        byte[] bytes = File.ReadAllBytes(PathOf("good.lora"));
        bytes[^20] ^= 0x40;
        File.WriteAllBytes(PathOf("damaged.lora"), bytes);
        Assert.Throws<InvalidDataException>(() => adapter.Load(PathOf("damaged.lora")));
        Unchanged();

        File.WriteAllBytes(PathOf("truncated.lora"), File.ReadAllBytes(PathOf("good.lora"))[..^100]);
        Assert.Throws<InvalidDataException>(() => adapter.Load(PathOf("truncated.lora")));
        Unchanged();

        using (var other = NewGpt())
        {
            LoRA.Apply(other, rank: 2).Save(PathOf("rank2.lora"));
        }
        var rank = Assert.Throws<CheckpointMismatchException>(() => adapter.Load(PathOf("rank2.lora")));
        Assert.Contains(rank.Differences, d => d.Contains("h.0.attn.c_attn.lora_A is [2, 16] in the checkpoint but [4, 16] in the model", StringComparison.Ordinal));
        Unchanged();

        using (var other = NewGpt())
        {
            LoRA.Apply(other, @"mlp\.").Save(PathOf("mlp.lora"));
        }
        Assert.Throws<CheckpointMismatchException>(() => adapter.Load(PathOf("mlp.lora")));
        Unchanged();

        using (var other = NewGpt())
        {
            LoRA.Apply(other, alpha: 16).Save(PathOf("alpha16.lora"));
        }
        var alpha = Assert.Throws<CheckpointMismatchException>(() => adapter.Load(PathOf("alpha16.lora")));
        Assert.Contains("alpha is 16 in the checkpoint but 8 in this adapter", alpha.Message);
        Unchanged();

        Assert.Throws<FileNotFoundException>(() => adapter.Load(PathOf("missing.lora")));
        Unchanged();

        adapter.Load(PathOf("good.lora"));
        foreach (var (name, p) in gpt.named_parameters())
            Assert.True(Same.Bits(p, trained[name]), $"{name} not restored");
    }

    [Fact]
    public void Apply_refuses_a_second_adapter_a_pattern_that_matches_no_layer_too_high_a_rank_and_a_bad_alpha_changing_nothing()
    {
        using var gpt = NewGpt();
        var error = Assert.Throws<ArgumentException>(() => LoRA.Apply(gpt, "decoder"));
        Assert.Contains("h.0.attn.c_attn", error.Message);
        Assert.Equal(GptConfig.ParameterCount(Small), Freezing.Trainable(gpt)); // nothing frozen by the failed call
        Assert.Throws<ArgumentOutOfRangeException>(() => LoRA.Apply(gpt, rank: 17)); // more than E = 16
        Assert.DoesNotContain(gpt.modules(), m => m is LoRALinear);
        Assert.Equal(GptConfig.ParameterCount(Small), Freezing.Trainable(gpt));
        foreach (double alpha in new[] { 0, -8, double.NaN })
        {
            var refused = Assert.Throws<ArgumentOutOfRangeException>(() => LoRA.Apply(gpt, alpha: alpha));
            Assert.Equal("alpha", refused.ParamName);
        }
        Assert.DoesNotContain(gpt.modules(), m => m is LoRALinear);
        Assert.Equal(GptConfig.ParameterCount(Small), Freezing.Trainable(gpt)); // a bad α used to freeze the GPT first
        LoRA.Apply(gpt);
        Assert.Throws<InvalidOperationException>(() => LoRA.Apply(gpt));
    }
}
