using LargeModel.Course.Models;

namespace LargeModel.Course.Tests.Models;

public class FlopsTests
{
    // A GPT small enough to count by hand: V = 10, T = 8, L = 2 blocks, E = 4, 2 heads, with biases.
    static readonly GptConfig Tiny = new(VocabSize: 10, BlockSize: 8, Layers: 2, Heads: 2, Embedding: 4);

    [Fact]
    public void The_counts_of_a_tiny_GPT_equal_a_hand_count()
    {
        // Per block: c_attn 4×12 + 12 biases, attention c_proj 4×4 + 4, c_fc 4×16 + 16, MLP c_proj 16×4 + 4,
        // two LayerNorms 2·(4 + 4): 60 + 20 + 80 + 68 + 16 = 244. Then the token table (10×4 = 40, also the head),
        // the final LayerNorm (8) and the position table (8×4 = 32).
        const long perBlock = 48 + 12 + 16 + 4 + 64 + 16 + 64 + 4 + 16;
        const long multiplying = 2 * perBlock + 40 + 8;
        Assert.Equal(244, perBlock);
        Assert.Equal(multiplying, Flops.MatmulParameters(Tiny));
        Assert.Equal(2 * perBlock + 8, Flops.NonEmbeddingParameters(Tiny));

        // Attention, per token and block: its query against 8 keys of width 4 (32 multiply-adds), then 8 weights times
        // 8 values of width 4 (32 more): 64 multiply-adds, 128 FLOPs; 2 blocks.
        const double attention = 2 * 128;
        Assert.Equal(attention, Flops.AttentionForwardPerToken(Tiny));
        Assert.Equal(2 * multiplying + attention, Flops.ForwardPerToken(Tiny));        // 1,328
        Assert.Equal(3 * (2 * multiplying + attention), Flops.TrainingPerToken(Tiny)); // backward = 2 × forward
        Assert.Equal(3984, Flops.TrainingPerToken(Tiny));
        Assert.Equal(3984 * 1000.0, Flops.Training(Tiny, 1000));
        Assert.Equal(1000, Flops.TokensFor(Tiny, 3984 * 1000.0), 9);
    }

    [Theory]
    [InlineData(65, 64, 4, 4, 128)]
    [InlineData(52, 32, 1, 2, 8)]
    [InlineData(101, 16, 3, 6, 48)]
    public void The_parameters_that_multiply_are_those_of_the_built_model_but_the_position_table(int vocab, int block, int layers, int heads, int embedding)
    {
        var config = new GptConfig(vocab, block, layers, heads, embedding);
        using var model = new Gpt(config);
        long counted = model.named_parameters().Where(p => p.name != "wpe.weight").Sum(p => p.parameter.numel());
        long outsideEmbeddings = model.named_parameters().Where(p => p.name is not ("wpe.weight" or "wte.weight")).Sum(p => p.parameter.numel());
        Assert.Equal(counted, Flops.MatmulParameters(config));
        Assert.Equal(outsideEmbeddings, Flops.NonEmbeddingParameters(config));
    }

    [Fact]
    public void A_shorter_context_costs_less_attention_only()
    {
        var config = GptConfig.NanoGptCpu;
        double saved = Flops.ForwardPerToken(config) - Flops.ForwardPerToken(config, context: 16);
        Assert.Equal(4.0 * config.Layers * config.Embedding * (64 - 16), saved);
    }

    [Fact]
    public void GPT_3_on_300_billion_tokens_costs_about_3_times_10_to_the_23()
    {
        // Brown et al. 2020 give 3.14e23 FLOPs, counting 6·N·D without attention; the attention term adds about 3%.
        double sixND = 6.0 * GptConfig.Gpt3.ParameterCount() * 300e9;
        double counted = Flops.Training(GptConfig.Gpt3, 300e9);
        Assert.InRange(sixND, 3.1e23, 3.2e23);
        Assert.InRange(counted / sixND, 1.02, 1.04);
    }
}
