using LargeModel.Course.Datasets;

namespace LargeModel.Course.Tests;

[Collection(nameof(Models.ModelsCollection))] // seeds torch's global generator and depends on what it draws next
public class DatasetTests
{
    static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    }

    [Fact]
    public void Linear_regression_data_is_the_same_for_a_seed_and_follows_its_true_line()
    {
        using var a = Synthetic.LinearRegression(500, [2f, -3f], 0.5f, noise: 0.1, seed: 1);
        using var b = Synthetic.LinearRegression(500, [2f, -3f], 0.5f, noise: 0.1, seed: 1);
        using var c = Synthetic.LinearRegression(500, [2f, -3f], 0.5f, noise: 0.1, seed: 2);
        Assert.Equal([500L, 2], a.X.shape);
        Assert.Equal([500L, 1], a.Y.shape);
        Assert.True(Same(a.X, b.X) && Same(a.Y, b.Y));
        Assert.False(Same(a.X, c.X));

        // Least squares on the data recovers the truth, and the residual is the noise.
        using var scope = NewDisposeScope();
        var design = cat([a.X, ones(500, 1)], 1);
        var solution = linalg.lstsq(design, a.Y).Solution.reshape(-1).data<float>().ToArray();
        Assert.Equal([2f, -3f, 0.5f], solution, new FloatTolerance(0.03f));
        var residual = (design.matmul(linalg.lstsq(design, a.Y).Solution) - a.Y).std().item<float>();
        Assert.InRange(residual, 0.08, 0.12);
    }

    [Fact]
    public void Linear_regression_with_drawn_truth_is_repeatable_and_exposes_it()
    {
        using var a = Synthetic.LinearRegression(50, features: 3, seed: 5);
        using var b = Synthetic.LinearRegression(50, features: 3, seed: 5);
        Assert.Equal(3, a.TrueWeights.Count);
        Assert.Equal(a.TrueWeights, b.TrueWeights);
        Assert.Equal(a.TrueBias, b.TrueBias);
        Assert.True(Same(a.Y, b.Y));
    }

    [Fact]
    public void Two_moons_have_two_balanced_classes_that_a_line_cannot_separate_perfectly()
    {
        using var moons = Synthetic.TwoMoons(201, noise: 0.05, seed: 3);
        using var again = Synthetic.TwoMoons(201, noise: 0.05, seed: 3);
        Assert.Equal([201L, 2], moons.X.shape);
        Assert.Equal([201L], moons.Y.shape);
        Assert.Equal(ScalarType.Int64, moons.Y.dtype);
        Assert.True(Same(moons.X, again.X) && Same(moons.Y, again.Y));
        Assert.Equal(101, moons.Y.eq(0).sum().item<long>());
        Assert.Equal(100, moons.Y.eq(1).sum().item<long>());
        // The upper moon's tips reach below the lower moon's top: y ranges overlap between the classes.
        using var scope = NewDisposeScope();
        var upperMin = moons.X[moons.Y.eq(0)][.., 1].min().item<float>();
        var lowerMax = moons.X[moons.Y.eq(1)][.., 1].max().item<float>();
        Assert.True(upperMin < lowerMax);
    }

    [Fact]
    public void Spirals_have_k_classes_of_equal_size_within_the_unit_disc()
    {
        using var spirals = Synthetic.Spirals(100, classes: 4, noise: 0.1, seed: 9);
        using var again = Synthetic.Spirals(100, classes: 4, noise: 0.1, seed: 9);
        Assert.Equal([400L, 2], spirals.X.shape);
        Assert.True(Same(spirals.X, again.X));
        for (int k = 0; k < 4; k++) Assert.Equal(100, spirals.Y.eq(k).sum().item<long>());
        Assert.True(spirals.X.norm(1).max().item<float>() <= 1.0001f);
    }

    [Fact]
    public void Making_data_does_not_disturb_torch_global_random_numbers()
    {
        manual_seed(123);
        using var expected = randn(3);
        manual_seed(123);
        using var data = Synthetic.TwoMoons(50, seed: 1);
        using var actual = randn(3);
        Assert.True(Same(expected, actual));
    }

    [Fact]
    public void Rosenbrock_is_zero_at_its_minimum_and_differentiable()
    {
        var (x, y) = Rosenbrock.Minimum();
        Assert.Equal(0, Rosenbrock.Value(x, y));
        Assert.Equal(1 + 100, Rosenbrock.Value(0, 1)); // (1-0)² + 100(1-0)²
        using var point = tensor(new double[] { -1, 1 }).requires_grad_(true);
        using var value = Rosenbrock.Value(point);
        Assert.Equal(4.0, value.item<double>(), 12);
        value.backward();
        // ∂f/∂x = −2(1 − x) − 400x(y − x²) = −4 at (−1, 1); ∂f/∂y = 200(y − x²) = 0.
        Assert.Equal([-4.0, 0.0], point.grad!.data<double>().ToArray());
    }

    [Fact]
    public void Split_sizes_follow_the_fractions_and_the_parts_are_disjoint_and_complete()
    {
        using var data = new Dataset(arange(1000, dtype: ScalarType.Float32).unsqueeze(1), arange(1000));
        using var split = data.Split(0.7, 0.2, seed: 4);
        Assert.Equal(700, split.Train.Count);
        Assert.Equal(200, split.Validation.Count);
        Assert.Equal(100, split.Test.Count);
        var ids = new[] { split.Train, split.Validation, split.Test }.SelectMany(d => d.Y.data<long>().ToArray()).ToList();
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.NotEqual(Enumerable.Range(0, 700).Select(i => (long)i), split.Train.Y.data<long>().ToArray()); // shuffled
        using var again = data.Split(0.7, 0.2, seed: 4);
        Assert.True(Same(split.Train.Y, again.Train.Y));
        // X and Y stay paired.
        Assert.True(Same(split.Test.X.reshape(-1).to(ScalarType.Int64), split.Test.Y));
        Assert.Throws<ArgumentException>(() => data.Split(0.8, 0.3));
    }

    [Fact]
    public void Mini_batches_cover_every_example_once_per_epoch_with_a_smaller_last_batch()
    {
        using var data = new Dataset(arange(103, dtype: ScalarType.Float32).unsqueeze(1), arange(103));
        var batches = new MiniBatches(data, batchSize: 10, seed: 1);
        Assert.Equal(11, batches.Count);
        var sizes = new List<long>();
        var seen = new List<long>();
        foreach (var batch in batches.Epoch(1))
        {
            sizes.Add(batch.Size);
            seen.AddRange(batch.Y.data<long>().ToArray());
            Assert.Equal(batch.X.reshape(-1).to(ScalarType.Int64).data<long>().ToArray(), batch.Y.data<long>().ToArray());
        }
        Assert.Equal(Enumerable.Repeat(10L, 10).Append(3), sizes);
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), seen.Order());

        List<long> Order(MiniBatches b, int epoch) => b.Epoch(epoch).SelectMany(x => x.Y.data<long>().ToArray()).ToList();
        Assert.Equal(Order(batches, 2), Order(new MiniBatches(data, 10, seed: 1), 2)); // same seed and epoch, same order
        Assert.NotEqual(Order(batches, 1), Order(batches, 2));                       // a new shuffle each epoch
        Assert.Equal(10, new MiniBatches(data, 10, dropLast: true).Epoch(1).Count());
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), Order(new MiniBatches(data, 10, shuffle: false), 1));
    }

    [Fact]
    public void Iterating_mini_batches_keeps_memory_flat()
    {
        using var data = new Dataset(randn(256, 4), randn(256, 1));
        var batches = new MiniBatches(data, 16);
        Assert.Equal(0, LiveTensors.Growth(() =>
        {
            for (int epoch = 1; epoch <= 3; epoch++)
                foreach (var batch in batches.Epoch(epoch)) _ = batch.Size;
        }));
    }
}
