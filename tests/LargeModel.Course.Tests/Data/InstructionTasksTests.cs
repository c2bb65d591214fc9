using LargeModel.Course.Data;
using LargeModel.Course.Models;
using LargeModel.Course.Tokenizers;

namespace LargeModel.Course.Tests.Data;

public class InstructionTasksTests
{
    static readonly CharTokenizer Tokenizer = CharTokenizer.FromText(" ,." + InstructionTasks.Letters + InstructionTasks.Letters.ToUpperInvariant());

    [Fact]
    public void Each_task_has_its_prompt_and_exact_answer()
    {
        var examples = InstructionTasks.All.Select(task => new InstructionExample(task, "lamp", InstructionTasks.Solve(task, "lamp"))).ToArray();
        Assert.Equal(
            ["reverse lamp, pmal.", "upper lamp, LAMP.", "sort lamp, almp.", "repeat lamp, lamplamp."],
            examples.Select(e => e.Text));
        Assert.All(examples, e => Assert.Equal(e.Text, e.Prompt + e.Completion));
        Assert.All(examples, e => Assert.EndsWith(",", e.Prompt));
        Assert.Equal(" pmal.", examples[0].Completion);
    }

    [Fact]
    public void The_same_seed_gives_the_same_sets_and_another_seed_others()
    {
        var a = InstructionTasks.Generate(train: 200, heldOut: 40, seed: 3);
        var b = InstructionTasks.Generate(train: 200, heldOut: 40, seed: 3);
        var c = InstructionTasks.Generate(train: 200, heldOut: 40, seed: 4);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.HeldOut, b.HeldOut);
        Assert.NotEqual(a.Train.Select(e => e.Text), c.Train.Select(e => e.Text));
        Assert.Equal(200, a.Train.Count);
        Assert.Equal(40, a.HeldOut.Count);
        // More training data, same held-out set: comparisons across training sizes use one test.
        Assert.Equal(a.HeldOut, InstructionTasks.Generate(train: 500, heldOut: 40, seed: 3).HeldOut);
    }

    [Fact]
    public void Held_out_words_never_occur_in_training_for_any_task()
    {
        var set = InstructionTasks.Generate(train: 2000, heldOut: 300, seed: 1, minLength: 3, maxLength: 4, letters: "abcdefgh");
        var trainWords = set.Train.Select(e => e.Input).ToHashSet();
        Assert.Equal(2000, trainWords.Count); // one task per word, no word twice
        Assert.DoesNotContain(set.HeldOut, e => trainWords.Contains(e.Input));
        Assert.Empty(set.HeldOut.Select(e => e.Prompt).Intersect(set.Train.Select(e => e.Prompt)));
        Assert.All(set.Train.Concat(set.HeldOut), e =>
        {
            Assert.InRange(e.Input.Length, 3, 4);
            Assert.All(e.Input, ch => Assert.Contains(ch, "abcdefgh"));
            Assert.Equal(InstructionTasks.Solve(e.Task, e.Input), e.Output);
        });
        Assert.All(InstructionTasks.All, task => Assert.Equal(500, set.Train.Count(e => e.Task == task)));
    }

    [Fact]
    public void Impossible_requests_are_refused()
    {
        Assert.Throws<ArgumentException>(() => InstructionTasks.Generate(100, 10, seed: 0, minLength: 2, maxLength: 2, letters: "ab"));
        Assert.Throws<ArgumentException>(() => InstructionTasks.Generate(10, 10, seed: 0, letters: "aB"));
        Assert.Throws<ArgumentException>(() => InstructionTasks.Generate(10, 10, seed: 0, tasks: []));
    }

    [Fact]
    public void The_batch_scores_exactly_the_completion_tokens()
    {
        var set = InstructionTasks.Generate(train: 12, heldOut: 0, seed: 2);
        using var batch = InstructionTasks.ToBatch(set.Train, Tokenizer);
        int longest = set.Train.Max(e => e.Text.Length);
        Assert.Equal(new long[] { 12, longest - 1 }, batch.X.shape);
        Assert.Equal(batch.X.shape, batch.Y.shape);
        for (int i = 0; i < set.Train.Count; i++)
        {
            var e = set.Train[i];
            var ids = Tokenizer.Encode(e.Text);
            var x = batch.X[i].data<long>().ToArray();
            var y = batch.Y[i].data<long>().ToArray();
            Assert.Equal(ids[..^1].Select(id => (long)id), x[..(ids.Length - 1)]);
            // Targets 0 .. |prompt|-2 predict prompt tokens: masked. Then the completion, then padding: masked.
            int prompt = e.Prompt.Length;
            Assert.All(y[..(prompt - 1)], t => Assert.Equal(Gpt.IgnoreIndex, t));
            Assert.Equal(Tokenizer.Encode(e.Completion).Select(id => (long)id), y[(prompt - 1)..(ids.Length - 1)]);
            Assert.All(y[(ids.Length - 1)..], t => Assert.Equal(Gpt.IgnoreIndex, t));
            Assert.Equal(e.Completion.Length, y.Count(t => t != Gpt.IgnoreIndex));
        }
    }

    [Fact]
    public void Letters_for_a_tokenizer_leave_out_those_it_cannot_write()
    {
        var noCapitals = CharTokenizer.FromText(" ,.abcdefghijklmnopqrstuvwxyzLM");
        Assert.Equal("lm", InstructionTasks.LettersFor(noCapitals));
        Assert.Equal(InstructionTasks.Letters, InstructionTasks.LettersFor(noCapitals, [InstructionTask.Reverse, InstructionTask.Sort]));
        Assert.Equal(InstructionTasks.Letters, InstructionTasks.LettersFor(Tokenizer));
    }

    [Fact]
    public void Answers_are_parsed_up_to_the_full_stop_and_scored_exactly()
    {
        Assert.Equal("pmal", InstructionTasks.Parse(" pmal.\nreverse"));
        Assert.Equal("pma", InstructionTasks.Parse(" pma"));
        var examples = new[] { new InstructionExample(InstructionTask.Reverse, "ab", "ba"), new InstructionExample(InstructionTask.Upper, "ab", "AB") };
        Assert.Equal(0.5, InstructionTasks.Accuracy(examples, ["ba", "Ab"]));
        Assert.Throws<ArgumentException>(() => InstructionTasks.Accuracy(examples, ["ba"]));
    }

    /// <summary>A "model" that knows the answers: it puts all probability on the next character of the right text.</summary>
    sealed class Oracle : nn.Module<Tensor, Tensor>
    {
        readonly IReadOnlyList<InstructionExample> examples;
        readonly string? wrongFor;
        readonly TorchSharp.Modules.Parameter device = new(zeros(1)); // the generator reads the device off a parameter

        public Oracle(IReadOnlyList<InstructionExample> examples, string? wrongFor = null) : base("Oracle")
        {
            this.examples = examples;
            this.wrongFor = wrongFor;
            RegisterComponents();
        }

        public override Tensor forward(Tensor idx)
        {
            var logits = full([idx.shape[0], idx.shape[1], Tokenizer.VocabSize], -10f);
            for (int b = 0; b < idx.shape[0]; b++)
            {
                string text = Tokenizer.Decode(idx[b]);
                var example = examples.First(e => (e.Prompt + e.Completion + "...").StartsWith(text, StringComparison.Ordinal)
                    || (e.Input == wrongFor && text.StartsWith(e.Prompt, StringComparison.Ordinal)));
                string target = example.Input == wrongFor ? example.Prompt + " x." : example.Text + "...";
                char next = text.Length < target.Length ? target[text.Length] : '.';
                logits[b, -1, Tokenizer.Encode(next.ToString())[0]] = tensor(10f);
            }
            return logits;
        }
    }

    [Fact]
    public void Answer_decodes_greedily_from_the_prompt_and_parses_the_completion()
    {
        var set = InstructionTasks.Generate(train: 0, heldOut: 8, seed: 5);
        using var right = new Oracle(set.HeldOut);
        var answers = InstructionTasks.Answer(right, Tokenizer, set.HeldOut);
        Assert.Equal(set.HeldOut.Select(e => e.Output), answers);
        Assert.Equal(1.0, InstructionTasks.Accuracy(set.HeldOut, answers));

        using var oneWrong = new Oracle(set.HeldOut, wrongFor: set.HeldOut[2].Input);
        var partly = InstructionTasks.Answer(oneWrong, Tokenizer, set.HeldOut);
        Assert.Equal("x", partly[2]);
        Assert.Equal(7 / 8.0, InstructionTasks.Accuracy(set.HeldOut, partly));
    }
}
