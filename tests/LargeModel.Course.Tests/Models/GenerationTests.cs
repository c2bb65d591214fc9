using LargeModel.Course.Generation;
using LargeModel.Course.Models;

namespace LargeModel.Course.Tests.Models;

[Collection(nameof(ModelsCollection))]
public class GenerationTests
{
    static readonly GptConfig Small = new(VocabSize: 17, BlockSize: 12, Layers: 2, Heads: 2, Embedding: 16);

    [Fact]
    public void Top_k_keeps_exactly_k_tokens_per_row()
    {
        Seed.All(1);
        using var scope = NewDisposeScope();
        var logits = randn(4, 50);
        var filtered = Sampling.TopK(logits, 7);
        Assert.Equal(new long[] { 7, 7, 7, 7 }, filtered.isfinite().sum(-1).data<long>().ToArray());
        var (kept, _) = logits.topk(7);
        Check.Close(filtered.max(-1).values, kept.select(1, 0), 0, "the largest logit survives");
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_with_mass_at_least_p()
    {
        Seed.All(2);
        using var scope = NewDisposeScope();
        var logits = randn(5, 30) * 2;
        foreach (double p in new[] { 0.1, 0.5, 0.9, 0.999 })
        {
            var filtered = Sampling.TopP(logits, p);
            for (int row = 0; row < 5; row++)
            {
                var probabilities = logits[row].softmax(-1).data<float>().ToArray();
                var order = probabilities.Select((q, i) => (q, i)).OrderByDescending(t => t.q).ToArray();
                int needed = 0;
                double mass = 0;
                while (mass < p) mass += order[needed++].q;
                var expected = order.Take(needed).Select(t => t.i).OrderBy(i => i).ToArray();
                var keptMask = filtered[row].isfinite().data<bool>().ToArray();
                var kept = Enumerable.Range(0, 30).Where(i => keptMask[i]).ToArray();
                Assert.Equal(expected, kept);
            }
        }
    }

    [Fact]
    public void Temperature_towards_zero_samples_the_arg_max()
    {
        Seed.All(3);
        using var scope = NewDisposeScope();
        var logits = randn(8, 40);
        var greedy = Sampling.Next(logits, new SamplingOptions { Greedy = true });
        using var generator = new Generator(7, CPU);
        var cold = Sampling.Next(logits, new SamplingOptions { Temperature = 1e-4 }, generator);
        Assert.Equal(greedy.data<long>().ToArray(), cold.data<long>().ToArray());
        Assert.Equal(greedy.data<long>().ToArray(), Sampling.Next(logits, new SamplingOptions { Temperature = 0 }).data<long>().ToArray());
    }

    [Theory]
    [InlineData(true, 8)]      // stays inside the context
    [InlineData(false, 8)]
    [InlineData(true, 20)]     // goes past BlockSize, so the window slides
    [InlineData(false, 20)]
    public void The_KV_cache_produces_exactly_the_tokens_of_recomputation(bool greedy, int newTokens)
    {
        using var threads = new SingleThread();
        Seed.All(4);
        using var model = new Gpt(Small);
        var options = new SamplingOptions { Greedy = greedy, TopK = 10, Temperature = 1.5, MaxNewTokens = newTokens, NumSequences = 3, Seed = 11 };
        var cached = TextGenerator.Generate(model, new[] { 1, 2, 3 }, options with { UseCache = true });
        var recomputed = TextGenerator.Generate(model, new[] { 1, 2, 3 }, options with { UseCache = false });
        Assert.Equal(recomputed, cached);
        Assert.All(cached, s => Assert.Equal(3 + newTokens, s.Length));
        if (!greedy) Assert.True(cached.Distinct(new SequenceComparer()).Count() > 1, "sampled sequences differ");
    }

    [Fact]
    public void Tokens_stream_one_step_at_a_time_and_the_same_seed_repeats()
    {
        Seed.All(5);
        using var model = new Gpt(Small);
        var streamed = new List<int[]>();
        var options = new SamplingOptions { MaxNewTokens = 6, NumSequences = 2, Seed = 3 };
        var result = TextGenerator.Generate(model, new[] { 0 }, options, streamed.Add);
        Assert.Equal(6, streamed.Count);
        Assert.Equal(result[1].Skip(1).ToArray(), streamed.Select(t => t[1]).ToArray());
        Assert.Equal(result, TextGenerator.Generate(model, new[] { 0 }, options));
    }

    [Fact]
    public void Generation_stops_when_interrupted()
    {
        using var model = new Gpt(Small);
        int produced = 0;
        try
        {
            Assert.Throws<OperationCanceledException>(() => TextGenerator.Generate(model, new[] { 0 },
                new SamplingOptions { MaxNewTokens = 50 }, _ => { if (++produced == 3) Interrupt.Request(); }));
        }
        finally
        {
            Interrupt.Reset();
        }
        Assert.Equal(3, produced);
    }

    [Fact]
    public void Perplexity_of_an_untrained_model_is_near_the_vocabulary_size_and_generation_works_for_an_LSTM()
    {
        Seed.All(6);
        using var model = new Gpt(Small);
        var ids = Enumerable.Range(0, 100).Select(_ => Seed.Random.Next(Small.VocabSize)).ToArray();
        double perplexity = Perplexity.Of(model, ids, Small.BlockSize);
        Assert.InRange(perplexity, Small.VocabSize * 0.8, Small.VocabSize * 1.25);

        using var lstm = new LstmLanguageModel(Small.VocabSize, 8, 16);
        var text = TextGenerator.Generate(lstm, new[] { 1 }, new SamplingOptions { MaxNewTokens = 5 });
        Assert.Equal(6, text[0].Length);
    }

    sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x!.SequenceEqual(y!);
        public int GetHashCode(int[] obj) => obj.Aggregate(17, (h, v) => h * 31 + v);
    }
}
