using LargeModel.Course.FineTuning;
using LargeModel.Course.Models;
using LargeModel.Course.Tests.Models;

namespace LargeModel.Course.Tests.FineTuning;

[Collection(nameof(ModelsCollection))]
public class FreezingTests
{
    static readonly GptConfig Small = new(VocabSize: 11, BlockSize: 8, Layers: 2, Heads: 2, Embedding: 8);

    [Fact]
    public void Freezing_all_but_a_pattern_leaves_exactly_the_matching_parameters_trainable()
    {
        using var gpt = new Gpt(Small);
        long total = GptConfig.ParameterCount(Small);
        Assert.Equal(total, Freezing.Trainable(gpt));

        Assert.Equal(total, Freezing.Freeze(gpt));
        Assert.Equal(0, Freezing.Trainable(gpt));

        // The final LayerNorm: a gain and a bias of E numbers each.
        Assert.Equal(2 * Small.Embedding, Freezing.Unfreeze(gpt, @"^ln_f\."));
        Assert.Equal(2 * Small.Embedding, Freezing.Trainable(gpt));

        // Every block's MLP: 8E² weights and 5E biases per block.
        long e = Small.Embedding;
        Freezing.Unfreeze(gpt, @"\.mlp\.");
        Assert.Equal(2 * e + Small.Layers * (8 * e * e + 5 * e), Freezing.Trainable(gpt));
        Assert.Equal(total, Freezing.Total(gpt));
    }

    [Fact]
    public void Describe_states_the_count_and_share()
    {
        using var gpt = new Gpt(Small);
        Freezing.Freeze(gpt);
        Freezing.Unfreeze(gpt, @"^ln_f\.");
        long total = GptConfig.ParameterCount(Small);
        string share = (100.0 * 16 / total).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"16 of {total:N0} parameters trainable ({share}%)".Replace(System.Globalization.CultureInfo.CurrentCulture.NumberFormat.NumberGroupSeparator, ","), Freezing.Describe(gpt));
    }

    [Fact]
    public void A_pattern_that_matches_nothing_is_an_error_not_a_silent_no_op()
    {
        using var gpt = new Gpt(Small);
        var error = Assert.Throws<ArgumentException>(() => Freezing.Freeze(gpt, "decoder"));
        Assert.Contains("wte.weight", error.Message);
        Assert.Equal(GptConfig.ParameterCount(Small), Freezing.Trainable(gpt));
    }

    [Fact]
    public void A_frozen_parameter_stays_bit_identical_through_training()
    {
        Seed.All(3);
        using var gpt = new Gpt(Small);
        Freezing.Freeze(gpt, @"^h\.0\.");
        var before = gpt.named_parameters().Where(p => p.name.StartsWith("h.0.", StringComparison.Ordinal))
            .ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var wteBefore = gpt.TokenEmbedding.detach().clone();
        var optimizer = gpt.ConfigureOptimizer(1e-2);
        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            var x = randint(0, 11, [4, 8]);
            var loss = Gpt.Loss(gpt.forward(x), x.roll(1, 1));
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
        }
        foreach (var (name, p) in gpt.named_parameters().Where(p => p.name.StartsWith("h.0.", StringComparison.Ordinal)))
            Assert.True(Same.Bits(p, before[name]), $"{name} changed although frozen");
        Assert.False(Same.Bits(gpt.TokenEmbedding, wteBefore)); // the rest did train
    }
}
