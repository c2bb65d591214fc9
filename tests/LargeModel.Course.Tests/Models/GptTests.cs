using LargeModel.Course.Models;

namespace LargeModel.Course.Tests.Models;

[Collection(nameof(ModelsCollection))]
public class GptTests
{
    [Fact]
    public void Gpt_maps_ids_to_logits_over_the_vocabulary()
    {
        Seed.All(1);
        using var scope = NewDisposeScope();
        var model = new Gpt(new GptConfig(VocabSize: 13, BlockSize: 6, Layers: 2, Heads: 2, Embedding: 8));
        var logits = model.forward(randint(0, 13, new long[] { 3, 6 }));
        Assert.Equal(new long[] { 3, 6, 13 }, logits.shape);
        Assert.Throws<ArgumentException>(() => model.forward(zeros(new long[] { 1, 7 }, dtype: ScalarType.Int64)));
    }

    [Theory]
    [InlineData(65, 64, 4, 4, 128, true)]
    [InlineData(65, 64, 4, 4, 128, false)]
    [InlineData(50, 16, 1, 1, 8, true)]
    [InlineData(101, 32, 3, 6, 48, false)]
    public void The_parameter_formula_equals_the_count_of_the_built_model(int vocab, int block, int layers, int heads, int embedding, bool bias)
    {
        var config = new GptConfig(vocab, block, layers, heads, embedding, 0, bias);
        using var model = new Gpt(config);
        Assert.Equal(GptConfig.ParameterCount(config), model.CountParameters());
    }

    [Fact]
    public void The_head_is_tied_to_the_token_embedding_and_counted_once()
    {
        using var model = new Gpt(new GptConfig(VocabSize: 7, BlockSize: 4, Layers: 1, Heads: 1, Embedding: 4));
        Assert.Single(model.named_parameters(), p => p.name == "wte.weight");
        Assert.DoesNotContain(model.named_parameters(), p => p.name.Contains("head", StringComparison.Ordinal));
    }

    [Fact]
    public void The_formula_gives_GPT_3_about_175_billion_parameters()
    {
        double billions = GptConfig.Gpt3.ParameterCount() / 1e9;
        Assert.InRange(billions, 174, 176);
        Assert.InRange(GptConfig.Gpt2Small.ParameterCount() / 1e6, 123, 125);
    }

    [Fact]
    public void The_optimizer_decays_matrices_only()
    {
        using var model = new Gpt(new GptConfig(VocabSize: 7, BlockSize: 4, Layers: 1, Heads: 1, Embedding: 4));
        var optimizer = model.ConfigureOptimizer(1e-3, weightDecay: 0.1);
        Assert.All(optimizer.Decayed, p => Assert.True(p.dim() >= 2));
        Assert.All(optimizer.Undecayed, p => Assert.True(p.dim() < 2));
        Assert.NotEmpty(optimizer.Undecayed);
        Assert.Equal(model.parameters().Count(), optimizer.Decayed.Count + optimizer.Undecayed.Count);
    }

    [Fact]
    public void The_LSTM_language_model_maps_ids_to_logits()
    {
        Seed.All(2);
        using var scope = NewDisposeScope();
        var model = new LstmLanguageModel(vocabSize: 9, embedding: 6, hidden: 10, layers: 2);
        Assert.Equal(new long[] { 2, 5, 9 }, model.forward(randint(0, 9, new long[] { 2, 5 })).shape);
    }
}
