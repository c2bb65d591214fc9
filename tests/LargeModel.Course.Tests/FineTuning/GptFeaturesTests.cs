using LargeModel.Course.Models;
using LargeModel.Course.Tests.Models;

namespace LargeModel.Course.Tests.FineTuning;

[Collection(nameof(ModelsCollection))]
public class GptFeaturesTests
{
    [Fact]
    public void Features_are_what_the_tied_head_reads()
    {
        Seed.All(2);
        using var scope = NewDisposeScope();
        using var gpt = new Gpt(new GptConfig(VocabSize: 13, BlockSize: 6, Layers: 2, Heads: 2, Embedding: 8));
        gpt.eval();
        var idx = randint(0, 13, [3, 6]);
        var features = gpt.Features(idx);
        Assert.Equal(new long[] { 3, 6, 8 }, features.shape);
        Assert.True(Same.Bits(gpt.forward(idx), nn.functional.linear(features, gpt.TokenEmbedding)));
    }

    [Fact]
    public void The_masked_loss_is_the_mean_over_the_scored_positions_only()
    {
        Seed.All(4);
        using var scope = NewDisposeScope();
        var logits = randn(2, 5, 7, dtype: float64);
        var targets = randint(0, 7, [2, 5]);
        // Row 0: a prompt of 3 positions, row 1: of 1 position, not scored.
        var masked = targets.clone();
        masked[0, ..3] = tensor(Gpt.IgnoreIndex);
        masked[1, ..1] = tensor(Gpt.IgnoreIndex);

        // By hand: −log softmax(logits)[target] at the 2 + 4 answer positions, averaged over those 6.
        var logProbabilities = logits.log_softmax(-1);
        double sum = 0;
        int count = 0;
        for (int b = 0; b < 2; b++)
            for (int t = b == 0 ? 3 : 1; t < 5; t++, count++)
                sum -= logProbabilities[b, t, targets[b, t].item<long>()].item<double>();
        Assert.Equal(6, count);

        Assert.Equal(sum / count, Gpt.Loss(logits, masked).item<double>(), 12);
        // And not the mean over all ten positions (the prompt is not merely zeroed).
        Assert.NotEqual(Gpt.Loss(logits, targets).item<double>(), Gpt.Loss(logits, masked).item<double>(), 6);
    }

    [Fact]
    public void The_masked_loss_gives_prompt_positions_no_gradient()
    {
        using var scope = NewDisposeScope();
        var logits = randn(1, 4, 5, dtype: float64).requires_grad_();
        var targets = tensor(new long[] { Gpt.IgnoreIndex, Gpt.IgnoreIndex, 2, 3 }).view(1, 4);
        Gpt.Loss(logits, targets).backward();
        var grad = logits.grad!;
        Assert.Equal(0.0, grad[0, ..2].abs().sum().item<double>());
        Assert.True(grad[0, 2..].abs().sum().item<double>() > 0);
    }
}
