using System.Globalization;
using LargeModel.Course.Data;

namespace LargeModel.Course.Tests.Data;

public class SequenceTasksTests
{
    [Theory]
    [InlineData(SequenceTask.Copy, 6, "314159=", "314159")]
    [InlineData(SequenceTask.Reverse, 6, "314159=", "951413")]
    [InlineData(SequenceTask.Sort, 6, "314159=", "113459")]
    [InlineData(SequenceTask.Addition, 3, "999+001=", "1000")]
    [InlineData(SequenceTask.Addition, 3, "123+045=", "0168")]
    public void Each_task_has_one_exact_answer(SequenceTask task, int size, string prompt, string answer)
    {
        Assert.Equal(answer, SequenceTasks.Solve(task, prompt));
        var example = SequenceTasks.Generate(task, 1, size, seed: 5)[0];
        Assert.Equal(prompt.Length, example.Prompt.Length);
        Assert.Equal(answer.Length, example.Answer.Length);
    }

    [Fact]
    public void Generated_examples_are_right_and_the_same_for_a_seed()
    {
        foreach (var task in Enum.GetValues<SequenceTask>())
        {
            var first = SequenceTasks.Generate(task, 500, 4, seed: 11);
            Assert.Equal(first, SequenceTasks.Generate(task, 500, 4, seed: 11));
            Assert.NotEqual(first, SequenceTasks.Generate(task, 500, 4, seed: 12));
            Assert.True(first.Distinct().Count() > 400, $"{task}: too many repeats");
        }
        foreach (var e in SequenceTasks.Generate(SequenceTask.Addition, 500, 5, seed: 3))
        {
            var parts = e.Prompt.TrimEnd('=').Split('+');
            Assert.Equal(int.Parse(parts[0], CultureInfo.InvariantCulture) + int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(e.Answer, CultureInfo.InvariantCulture));
        }
        foreach (var e in SequenceTasks.Generate(SequenceTask.Sort, 100, 8, seed: 3))
        {
            Assert.Equal(new string([.. e.Prompt.TrimEnd('=').Order()]), e.Answer);
            Assert.True(e.Answer.Zip(e.Answer.Skip(1)).All(p => p.First <= p.Second));
        }
    }

    [Fact]
    public void A_batch_shifts_by_one_and_scores_only_the_answer()
    {
        var examples = SequenceTasks.Generate(SequenceTask.Reverse, 32, 5, seed: 1); // "12345=" + "54321": 11 tokens
        using var batch = SequenceTasks.ToBatch(examples);
        Assert.Equal([32L, 10L], batch.X.shape);
        Assert.Equal([32L, 10L], batch.Y.shape);
        Assert.Equal(ScalarType.Int64, batch.Y.dtype);
        var x = batch.X.data<long>().ToArray();
        var y = batch.Y.data<long>().ToArray();
        var ids = SequenceTasks.Tokenizer.Encode(examples[0].Text);
        Assert.Equal(ids[..10].Select(i => (long)i), x[..10]);
        Assert.Equal(Enumerable.Repeat(SequenceTasks.IgnoreIndex, 5), y[..5]); // targets inside the prompt "12345" are not scored
        Assert.Equal(ids[6..11].Select(i => (long)i), y[5..10]);                 // the answer is: the token after each input
        Assert.Equal(examples[0].Answer, SequenceTasks.Tokenizer.Decode(y[5..10].Select(v => (int)v)));
    }

    [Fact]
    public void Accuracy_counts_exactly_right_answers_and_digit_accuracy_gives_partial_credit()
    {
        var examples = SequenceTasks.Generate(SequenceTask.Addition, 4, 2, seed: 9);
        var answers = examples.Select(e => e.Answer).ToList();
        Assert.Equal(1.0, SequenceTasks.Accuracy(examples, answers));
        answers[0] = answers[0][..^1] + (answers[0][^1] == '0' ? '1' : '0');
        Assert.Equal(0.75, SequenceTasks.Accuracy(examples, answers));
        Assert.Equal(11 / 12.0, SequenceTasks.DigitAccuracy(examples, answers), 10);
        Assert.Throws<ArgumentException>(() => SequenceTasks.Accuracy(examples, answers[..3]));
    }
}
