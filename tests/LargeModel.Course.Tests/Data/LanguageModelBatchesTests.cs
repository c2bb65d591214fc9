using LargeModel.Course.Data;
using LargeModel.Course.Tokenizers;

namespace LargeModel.Course.Tests.Data;

public class LanguageModelBatchesTests
{
    // Token i has id i, so a window's ids say where it starts and the shift is visible as +1.
    static readonly int[] counting = [.. Enumerable.Range(0, 1001)];

    [Fact]
    public void A_sample_has_the_right_shape_and_y_is_x_shifted_by_one()
    {
        using var batches = new LanguageModelBatches(counting, blockSize: 16, batchSize: 8, device: CPU, seed: 1);
        using var batch = batches.Sample();
        Assert.Equal([8L, 16L], batch.X.shape);
        Assert.Equal([8L, 16L], batch.Y.shape);
        Assert.Equal(ScalarType.Int64, batch.X.dtype);
        Assert.Equal(DeviceType.CPU, batch.X.device_type);
        Assert.True(batch.Y.eq(batch.X + 1).all().item<bool>());                                           // y[b, t] is the token after x[b, t]
        Assert.True(batch.X[.., 1..].eq(batch.Y[.., ..^1]).all().item<bool>());                            // ... which is x[b, t+1]
        Assert.True((batch.X[.., 1..] - batch.X[.., ..^1]).eq(1).all().item<bool>());                   // windows are contiguous text
        Assert.True(batch.Y.max().item<long>() <= 1000);
    }

    [Fact]
    public void The_same_seed_gives_the_same_batches_and_another_seed_different_ones()
    {
        static long[] Draw(long seed)
        {
            using var batches = new LanguageModelBatches(counting, 8, 4, seed: seed);
            using var first = batches.Sample();
            using var second = batches.Sample();
            long[] epochStart = [];
            foreach (var batch in batches.Epoch())
            {
                epochStart = batch.X.data<long>().ToArray(); // a batch lives until the loop moves on
                break;
            }
            return [.. first.X.data<long>(), .. second.X.data<long>(), .. epochStart];
        }
        Assert.Equal(Draw(42), Draw(42));
        Assert.NotEqual(Draw(42), Draw(43));
    }

    [Fact]
    public void An_epoch_visits_every_window_once_in_shuffled_order()
    {
        using var batches = new LanguageModelBatches(counting, blockSize: 16, batchSize: 7, seed: 3);
        var starts = new List<long>();
        int batchCount = 0;
        foreach (var (x, y) in batches.Epoch())
        {
            Assert.True(y.eq(x + 1).all().item<bool>());
            starts.AddRange(x[.., 0].data<long>().ToArray());
            batchCount++;
        }
        Assert.Equal(62, batches.WindowsPerEpoch); // (1001 - 1) / 16
        Assert.Equal(batches.BatchesPerEpoch, batchCount);
        Assert.Equal(Enumerable.Range(0, 62).Select(i => i * 16L), starts.Order());
        Assert.NotEqual(starts.Order(), starts);
    }

    [Fact]
    public void Batches_leave_no_tensors_behind()
    {
        using var batches = new LanguageModelBatches(counting, 16, 8, seed: 0);
        long growth = LiveTensors.Growth(() =>
        {
            foreach (var batch in batches.Epoch())
            {
                using var step = NewDisposeScope(); // a training step's own tensors; the batch is the loop's
                _ = batch.X.sum().item<long>();
            }
            for (int i = 0; i < 10; i++)
            {
                using var scope = NewDisposeScope();
                _ = batches.Sample();
            }
        });
        Assert.Equal(0, growth);
    }

    [Fact]
    public void The_default_corpus_batches_into_character_ids()
    {
        var corpus = Corpora.Default();
        var tokenizer = corpus.CharTokenizer();
        using var batches = new LanguageModelBatches(tokenizer.Encode(corpus.Train), blockSize: 64, batchSize: 32, seed: 0);
        using var batch = batches.Sample();
        string window = tokenizer.Decode(batch.X[0]);
        Assert.Contains(window, corpus.Train);
        Assert.Equal(window[1..] + tokenizer.Decode(batch.Y[0])[^1], tokenizer.Decode(batch.Y[0]));
    }

    [Fact]
    public void Text_shorter_than_a_block_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new LanguageModelBatches([1, 2, 3], blockSize: 8, batchSize: 2));
        Assert.Contains("needs at least 9 tokens", error.Message);
    }
}
