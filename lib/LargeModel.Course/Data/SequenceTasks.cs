using System.Globalization;
using LargeModel.Course.Tokenizers;
using static TorchSharp.torch;

namespace LargeModel.Course.Data;

/// <summary>The synthetic tasks: small problems with one right answer, where attention's job is easy to see.</summary>
public enum SequenceTask
{
    /// <summary><c>31415=</c> → <c>31415</c>: attend to the same position one block back.</summary>
    Copy,

    /// <summary><c>31415=</c> → <c>51413</c>: attend to the mirror position, an anti-diagonal in the attention map.</summary>
    Reverse,

    /// <summary><c>31415=</c> → <c>11345</c>: attend to the smallest digit not yet written.</summary>
    Sort,

    /// <summary><c>123+045=</c> → <c>0168</c>: attend to the two digits of each column, and the carry.</summary>
    Addition,
}

/// <summary>One example: the model reads the prompt (ending in <c>=</c>) and must write the answer.</summary>
public sealed record SequenceExample(string Prompt, string Answer)
{
    public string Text => Prompt + Answer;
}

/// <summary>
/// Synthetic sequence tasks with exact answers, generated with a seed. Every example of a task and size has the
/// same length (numbers are zero-padded), so a batch is a plain [examples, length] tensor, and a lesson can report
/// the share of answers that are exactly right, not only the loss.
/// </summary>
public static class SequenceTasks
{
    /// <summary>Digits, the plus sign and the separator: the whole vocabulary of every task.</summary>
    public const string Alphabet = "0123456789+=";

    /// <summary>Targets with this value are not scored: the default <c>ignore_index</c> of <c>cross_entropy</c>.</summary>
    public const long IgnoreIndex = Models.Gpt.IgnoreIndex;

    /// <summary>The tokenizer of the tasks: one id per character of <see cref="Alphabet"/>.</summary>
    public static CharTokenizer Tokenizer { get; } = new(Alphabet.Select(c => c.ToString()));

    /// <summary>
    /// <paramref name="count"/> examples of a task. <paramref name="size"/> is the number of digits to copy, reverse
    /// or sort, or the number of digits of each addend.
    /// </summary>
    public static IReadOnlyList<SequenceExample> Generate(SequenceTask task, int count, int size, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (task == SequenceTask.Addition) ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 18); // the sum must fit a long
        var random = new Random(seed);
        var examples = new SequenceExample[count];
        for (int i = 0; i < count; i++)
        {
            string prompt = task == SequenceTask.Addition
                ? $"{Digits(random, size)}+{Digits(random, size)}="
                : Digits(random, size) + "=";
            examples[i] = new SequenceExample(prompt, Solve(task, prompt));
        }
        return examples;
    }

    /// <summary>The exact answer to a prompt: how examples are made, and how a model's answer is checked.</summary>
    public static string Solve(SequenceTask task, string prompt)
    {
        if (!prompt.EndsWith('=')) throw new ArgumentException($"A prompt ends with '=' (got \"{prompt}\").", nameof(prompt));
        string body = prompt[..^1];
        switch (task)
        {
            case SequenceTask.Copy:
                return body;
            case SequenceTask.Reverse:
                return new string([.. body.Reverse()]);
            case SequenceTask.Sort:
                return new string([.. body.Order()]);
            case SequenceTask.Addition:
                var addends = body.Split('+');
                if (addends.Length != 2 || addends[0].Length != addends[1].Length)
                    throw new ArgumentException($"An addition prompt looks like 123+045= (got \"{prompt}\").", nameof(prompt));
                long sum = long.Parse(addends[0], CultureInfo.InvariantCulture) + long.Parse(addends[1], CultureInfo.InvariantCulture);
                return sum.ToString(CultureInfo.InvariantCulture).PadLeft(addends[0].Length + 1, '0'); // n digits + n digits -> n+1 digits
            default:
                throw new ArgumentOutOfRangeException(nameof(task), task, null);
        }
    }

    /// <summary>
    /// Inputs and next-token targets for training: <c>X</c> is each example but its last token, <c>Y</c> each example
    /// shifted by one, with the targets inside the prompt set to <see cref="IgnoreIndex"/> because the prompt is
    /// random and cannot be predicted; only the answer is learned and scored.
    /// </summary>
    public static Batch ToBatch(IReadOnlyList<SequenceExample> examples, Device? device = null)
    {
        if (examples.Count == 0) throw new ArgumentException("No examples to batch.", nameof(examples));
        int length = examples[0].Text.Length;
        int promptLength = examples[0].Prompt.Length;
        if (examples.Any(e => e.Text.Length != length || e.Prompt.Length != promptLength))
            throw new ArgumentException("All examples in a batch must have the same prompt and answer lengths (one task, one size).", nameof(examples));
        var inputs = new long[examples.Count * (length - 1)];
        var targets = new long[examples.Count * (length - 1)];
        for (int i = 0; i < examples.Count; i++)
        {
            var ids = Tokenizer.Encode(examples[i].Text);
            for (int t = 0; t < length - 1; t++)
            {
                inputs[i * (length - 1) + t] = ids[t];
                targets[i * (length - 1) + t] = t + 1 < promptLength ? IgnoreIndex : ids[t + 1];
            }
        }
        long[] shape = [examples.Count, length - 1];
        return new Batch(tensor(inputs, shape, int64, device), tensor(targets, shape, int64, device));
    }

    /// <summary>The share of answers that are exactly right (all digits), from 0 to 1.</summary>
    public static double Accuracy(IReadOnlyList<SequenceExample> examples, IReadOnlyList<string> predictedAnswers)
    {
        if (examples.Count != predictedAnswers.Count)
            throw new ArgumentException($"{examples.Count} examples but {predictedAnswers.Count} predicted answers.", nameof(predictedAnswers));
        if (examples.Count == 0) return 0;
        return examples.Zip(predictedAnswers).Count(p => p.First.Answer == p.Second) / (double)examples.Count;
    }

    /// <summary>The share of answer digits that are right, position by position: partial credit while a model learns.</summary>
    public static double DigitAccuracy(IReadOnlyList<SequenceExample> examples, IReadOnlyList<string> predictedAnswers)
    {
        if (examples.Count != predictedAnswers.Count)
            throw new ArgumentException($"{examples.Count} examples but {predictedAnswers.Count} predicted answers.", nameof(predictedAnswers));
        long right = 0, total = 0;
        foreach (var (example, predicted) in examples.Zip(predictedAnswers))
        {
            for (int i = 0; i < example.Answer.Length; i++)
                if (i < predicted.Length && predicted[i] == example.Answer[i]) right++;
            total += example.Answer.Length;
        }
        return total == 0 ? 0 : right / (double)total;
    }

    static string Digits(Random random, int count) =>
        string.Create(count, random, (span, r) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = (char)('0' + r.Next(10));
        });
}
