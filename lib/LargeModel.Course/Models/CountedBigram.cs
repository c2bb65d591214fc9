namespace LargeModel.Course.Models;

/// <summary>
/// Lesson 06's counted bigram model, the baseline of lessons 07 and 09: P(b | a) = (count(a, b) + α) / (count(a) + α·V),
/// where count(a) is how often a stands before another token. It keeps only the pairs the text has, not lesson 06's
/// V × V table: tang-poems has 9,589 characters, so its table holds 92 million cells (735 MB as doubles; building it
/// took lesson 07 to 3.5 GB of memory), while its training text has 727,178 different pairs.
/// </summary>
public sealed class CountedBigram
{
    readonly Dictionary<long, int> pairs = [];
    readonly long[] before;

    /// <summary>Counts the consecutive pairs of <paramref name="ids"/>, tokens of a vocabulary of <paramref name="vocabulary"/>.</summary>
    public CountedBigram(IReadOnlyList<int> ids, int vocabulary, double alpha = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 1);
        if (!(alpha > 0) || !double.IsFinite(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be a positive number: with α = 0 a pair the text never has gets probability 0 and an infinite loss.");
        Vocabulary = vocabulary;
        Alpha = alpha;
        before = new long[vocabulary];
        for (int i = 0; i + 1 < ids.Count; i++)
        {
            int a = Checked(ids[i]), b = Checked(ids[i + 1]);
            before[a]++;
            var key = Key(a, b);
            pairs[key] = pairs.GetValueOrDefault(key) + 1;
        }
    }

    public int Vocabulary { get; }
    public double Alpha { get; }

    /// <summary>How many different pairs the text has: the cells of the V × V table that are not zero.</summary>
    public int DistinctPairs => pairs.Count;

    public long Count(int a, int b) => pairs.GetValueOrDefault(Key(Checked(a), Checked(b)));

    public double Probability(int a, int b) => (Count(a, b) + Alpha) / (before[Checked(a)] + Alpha * Vocabulary);

    /// <summary>The mean negative log-likelihood, in nats per token, of every token of <paramref name="ids"/> after the first.</summary>
    public double Nll(IReadOnlyList<int> ids)
    {
        if (ids.Count < 2)
            throw new ArgumentException("Scoring needs at least two tokens: each is predicted from the one before it.", nameof(ids));
        double sum = 0;
        for (int i = 0; i + 1 < ids.Count; i++)
            sum -= Math.Log(Probability(ids[i], ids[i + 1]));
        return sum / (ids.Count - 1);
    }

    long Key(int a, int b) => (long)a * Vocabulary + b;

    int Checked(int id) => (uint)id < (uint)Vocabulary ? id
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"Token ids must be in 0..{Vocabulary - 1}; encode the text with the tokenizer whose vocabulary was counted.");
}
