namespace LargeModel.Course.Datasets;

/// <summary>Three disjoint parts of one dataset: fit on Train, choose settings on Validation, report on Test once.</summary>
public sealed record DataSplit(Dataset Train, Dataset Validation, Dataset Test) : IDisposable
{
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}

public static class DatasetSplits
{
    /// <summary>
    /// Shuffles the examples with <paramref name="seed"/> and cuts them into train, validation and test parts;
    /// the test part gets what the two fractions leave (e.g. 0.8, 0.1 → 80% / 10% / 10%). Sizes are rounded, so
    /// every example lands in exactly one part.
    /// </summary>
    public static DataSplit Split(this Dataset data, double train, double validation, long seed = 0)
    {
        if (train is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(train), train, "The train fraction must be in (0, 1].");
        if (validation is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(validation), validation, "The validation fraction must be in [0, 1].");
        if (train + validation > 1 + 1e-9)
            throw new ArgumentException($"The train and validation fractions add up to {train + validation:0.###}, more than 1; the test part gets the rest.");
        long n = data.Count;
        long trainCount = (long)Math.Round(train * n);
        long validationCount = Math.Min(n - trainCount, (long)Math.Round(validation * n));

        var order = Shuffle.Permutation(n, seed);
        return new DataSplit(
            data.Subset(order.AsSpan(0, (int)trainCount)),
            data.Subset(order.AsSpan((int)trainCount, (int)validationCount)),
            data.Subset(order.AsSpan((int)(trainCount + validationCount))));
    }
}

/// <summary>Seeded shuffles in .NET, independent of torch's generator and of the device.</summary>
static class Shuffle
{
    /// <summary>0..n−1 in an order fixed by the seed (Fisher–Yates).</summary>
    public static long[] Permutation(long n, long seed)
    {
        var order = new long[n];
        for (long i = 0; i < n; i++) order[i] = i;
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        for (long i = n - 1; i > 0; i--)
        {
            long j = random.NextInt64(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
