using LargeModel.Course.Models;

namespace LargeModel.Course.Tests.Models;

public class CountedBigramTests
{
    [Fact]
    public void A_hand_counted_text_gives_the_smoothed_probabilities()
    {
        // "ababca" as ids 0 1 0 1 2 0 with V = 3: pairs ab ×2, ba, bc, ca. a stands before 2 tokens, b before 2, c before 1.
        int[] ids = [0, 1, 0, 1, 2, 0];
        var bigram = new CountedBigram(ids, vocabulary: 3, alpha: 1);
        Assert.Equal(2, bigram.Count(0, 1));
        Assert.Equal(0, bigram.Count(0, 0));
        Assert.Equal(4, bigram.DistinctPairs);
        Assert.Equal((2 + 1) / (2 + 3.0), bigram.Probability(0, 1), 12);
        Assert.Equal(1 / (2 + 3.0), bigram.Probability(0, 2), 12);
        Assert.Equal(1 / 3.0, new CountedBigram([0, 1], 3).Probability(2, 1), 12); // a row the text never starts: uniform
        for (int a = 0; a < 3; a++)
            Assert.Equal(1, Enumerable.Range(0, 3).Sum(b => bigram.Probability(a, b)), 12);
        double expected = -(Math.Log(3 / 5.0) + Math.Log(2 / 5.0) + Math.Log(3 / 5.0)) / 3; // scoring 0 1 0 1
        Assert.Equal(expected, bigram.Nll([0, 1, 0, 1]), 12);
    }

    [Fact]
    public void Its_loss_equals_lesson_06s_dense_table_on_random_text()
    {
        // Lesson 06 counts with bincount into a V × V table and smooths every cell; the sparse count must agree.
        const int V = 40;
        var random = new Random(7);
        int[] train = Enumerable.Range(0, 5000).Select(_ => random.Next(V) * random.Next(V) / V).ToArray(); // skewed, some pairs absent
        int[] validation = Enumerable.Range(0, 800).Select(_ => random.Next(V)).ToArray();
        foreach (double alpha in new[] { 0.1, 1.0 })
        {
            var ids = tensor(train.Select(i => (long)i).ToArray());
            var counts = bincount(ids[..^1] * V + ids[1..], minlength: V * V).reshape(V, V).to(float64);
            var table = (counts + alpha) / (counts.sum(1, keepdim: true) + alpha * V);
            var scored = tensor(validation.Select(i => (long)i).ToArray());
            double dense = -table[scored[..^1], scored[1..]].log().mean().item<double>();
            var bigram = new CountedBigram(train, V, alpha);
            Assert.Equal(dense, bigram.Nll(validation), 10);
            Assert.Equal((counts > 0).sum().item<long>(), bigram.DistinctPairs);
        }
    }

    [Fact]
    public void Bad_arguments_say_what_to_do()
    {
        Assert.Contains("α must be a positive number", Assert.Throws<ArgumentOutOfRangeException>(() => new CountedBigram([0, 1], 2, alpha: 0)).Message);
        Assert.Contains("0..1", Assert.Throws<ArgumentOutOfRangeException>(() => new CountedBigram([0, 2], 2)).Message);
        Assert.Contains("at least two tokens", Assert.Throws<ArgumentException>(() => new CountedBigram([0, 1], 2).Nll([1])).Message);
    }
}
