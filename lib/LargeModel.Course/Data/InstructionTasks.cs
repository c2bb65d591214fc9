using LargeModel.Course.Generation;
using LargeModel.Course.Models;
using LargeModel.Course.Tokenizers;
using static TorchSharp.torch;

namespace LargeModel.Course.Data;

/// <summary>What an instruction asks for; the verb that starts the prompt is the name in lower case.</summary>
public enum InstructionTask
{
    /// <summary><c>reverse lamp,</c> → <c> pmal.</c></summary>
    Reverse,

    /// <summary><c>upper lamp,</c> → <c> LAMP.</c></summary>
    Upper,

    /// <summary><c>sort lamp,</c> → <c> almp.</c> (the letters in alphabetical order)</summary>
    Sort,

    /// <summary><c>repeat lamp,</c> → <c> lamplamp.</c></summary>
    Repeat,
}

/// <summary>
/// One instruction: the model reads <see cref="Prompt"/> (<c>reverse lamp,</c>) and should write
/// <see cref="Completion"/> (<c> pmal.</c>): a space, <see cref="Output"/>, and the full stop that ends the answer.
/// </summary>
public sealed record InstructionExample(InstructionTask Task, string Input, string Output)
{
    public string Prompt => $"{InstructionTasks.Verb(Task)} {Input},";

    public string Completion => $" {Output}{InstructionTasks.End}";

    public string Text => Prompt + Completion;
}

/// <summary>Training instructions and held-out ones whose words never occur in training, for any task.</summary>
public sealed record InstructionSet(IReadOnlyList<InstructionExample> Train, IReadOnlyList<InstructionExample> HeldOut);

/// <summary>
/// A small instruction set that the course generates: random lower-case "words" and a task verb, with exact answers.
/// </summary>
/// <remarks>
/// The format uses only letters, a space, a comma and a full stop, characters that every corpus of the course has
/// (the default stories have no colon or equals sign), so a character model pretrained on any of them can read it.
/// The prompt carries no information the model could learn to predict (the word is random), which is why training
/// scores only the completion: <see cref="ToBatch"/> sets the prompt's targets to <see cref="Gpt.IgnoreIndex"/>.
/// </remarks>
public static class InstructionTasks
{
    /// <summary>The character that ends every answer: generation stops reading there.</summary>
    public const char End = '.';

    /// <summary>The letters words are made of unless told otherwise.</summary>
    public const string Letters = "abcdefghijklmnopqrstuvwxyz";

    public static IReadOnlyList<InstructionTask> All { get; } = Enum.GetValues<InstructionTask>();

    /// <summary>The word that names a task in a prompt, e.g. <c>reverse</c>.</summary>
    public static string Verb(InstructionTask task) => task.ToString().ToLowerInvariant();

    /// <summary>The exact answer to a task on a word.</summary>
    public static string Solve(InstructionTask task, string input) => task switch
    {
        InstructionTask.Reverse => new string([.. input.Reverse()]),
        InstructionTask.Upper => input.ToUpperInvariant(),
        InstructionTask.Sort => new string([.. input.Order()]),
        InstructionTask.Repeat => input + input,
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    /// <summary>
    /// <paramref name="train"/> training and <paramref name="heldOut"/> held-out examples of the given tasks (all when
    /// null), in turn, on distinct random words of <paramref name="minLength"/> to <paramref name="maxLength"/> letters
    /// from <paramref name="letters"/>. No held-out word appears in training, so held-out accuracy measures whether the
    /// model follows the instruction, not whether it remembers the pair. The same seed gives the same sets.
    /// </summary>
    public static InstructionSet Generate(int train, int heldOut, int seed, IReadOnlyList<InstructionTask>? tasks = null,
        int minLength = 3, int maxLength = 5, string letters = Letters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(train);
        ArgumentOutOfRangeException.ThrowIfNegative(heldOut);
        ArgumentOutOfRangeException.ThrowIfLessThan(minLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, minLength);
        tasks ??= All;
        if (tasks.Count == 0) throw new ArgumentException("Give at least one task.", nameof(tasks));
        var alphabet = letters.Distinct().ToArray();
        if (alphabet.Length < 2 || alphabet.Any(c => !char.IsAsciiLetterLower(c)))
            throw new ArgumentException($"Words need at least two distinct lower-case ASCII letters; got \"{letters}\".", nameof(letters));
        double possible = Enumerable.Range(minLength, maxLength - minLength + 1).Sum(n => Math.Pow(alphabet.Length, n));
        if (train + heldOut > possible / 2)
            throw new ArgumentException($"{train + heldOut} distinct words are too many for {alphabet.Length} letters and lengths {minLength}-{maxLength}; allow longer words or more letters.");

        // Held-out words are drawn first, so a set's held-out part does not change when only the training count does.
        var random = new Random(seed);
        var words = new HashSet<string>();
        var heldOutWords = Draw(random, words, heldOut, alphabet, minLength, maxLength);
        var trainWords = Draw(random, words, train, alphabet, minLength, maxLength);
        return new InstructionSet(Examples(trainWords, tasks), Examples(heldOutWords, tasks));
    }

    /// <summary>
    /// The letters a tokenizer can write for these tasks: those whose lower- and (for <see cref="InstructionTask.Upper"/>)
    /// upper-case forms it knows. The default corpus has few capitals, for instance; pass the result as
    /// <c>letters</c> to <see cref="Generate"/>.
    /// </summary>
    public static string LettersFor(ITokenizer tokenizer, IReadOnlyList<InstructionTask>? tasks = null)
    {
        tasks ??= All;
        bool Encodes(string text)
        {
            try
            {
                return tokenizer.Decode(tokenizer.Encode(text)) == text;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
        return new string([.. Letters.Where(c => Encodes(c.ToString())
            && (!tasks.Contains(InstructionTask.Upper) || Encodes(char.ToUpperInvariant(c).ToString())))]);
    }

    /// <summary>
    /// Inputs and next-token targets for training, one row per example, padded on the right to the longest:
    /// <c>X</c> is each example's tokens but the last, <c>Y</c> the tokens shifted by one, with the targets inside
    /// the prompt and in the padding set to <see cref="Gpt.IgnoreIndex"/>, so the loss is the mean over the
    /// completion's tokens only. Prompt and completion are encoded separately, so the boundary is exact for any
    /// tokenizer. Padding inputs repeat the final token (the full stop); a causal model's real positions never read them.
    /// </summary>
    public static Batch ToBatch(IReadOnlyList<InstructionExample> examples, ITokenizer tokenizer, Device? device = null)
    {
        if (examples.Count == 0) throw new ArgumentException("No examples to batch.", nameof(examples));
        var encoded = examples.Select(e => (Prompt: tokenizer.Encode(e.Prompt), Completion: tokenizer.Encode(e.Completion))).ToArray();
        int length = encoded.Max(e => e.Prompt.Length + e.Completion.Length) - 1;
        var inputs = new long[examples.Count * length];
        var targets = new long[examples.Count * length];
        Array.Fill(targets, Gpt.IgnoreIndex);
        for (int i = 0; i < encoded.Length; i++)
        {
            int[] ids = [.. encoded[i].Prompt, .. encoded[i].Completion];
            int promptLength = encoded[i].Prompt.Length;
            for (int t = 0; t < length; t++)
            {
                inputs[i * length + t] = t < ids.Length - 1 ? ids[t] : ids[^1];
                // Y[t] is the token after X[0..t]: scored when that token belongs to the completion.
                if (t + 1 < ids.Length && t + 1 >= promptLength) targets[i * length + t] = ids[t + 1];
            }
        }
        long[] shape = [examples.Count, length];
        return new Batch(tensor(inputs, shape, int64, device), tensor(targets, shape, int64, device));
    }

    /// <summary>The answer in a generated completion: the text before the first <see cref="End"/>, without the leading space.</summary>
    public static string Parse(string completion)
    {
        int end = completion.IndexOf(End);
        return (end < 0 ? completion : completion[..end]).TrimStart(' ');
    }

    /// <summary>
    /// The model's answer to each prompt, greedily decoded (the most likely token each step, so the result is
    /// deterministic) and parsed with <see cref="Parse"/>.
    /// </summary>
    public static IReadOnlyList<string> Answer(nn.Module<Tensor, Tensor> model, ITokenizer tokenizer, IReadOnlyList<InstructionExample> examples)
    {
        var answers = new List<string>(examples.Count);
        foreach (var example in examples)
        {
            var prompt = tokenizer.Encode(example.Prompt);
            // Room for the right answer plus a little; a longer ramble is wrong anyway.
            int room = tokenizer.Encode(example.Completion).Length + 2;
            var sequence = TextGenerator.Generate(model, prompt, new SamplingOptions { Greedy = true, MaxNewTokens = room })[0];
            answers.Add(Parse(tokenizer.Decode(sequence[prompt.Length..])));
        }
        return answers;
    }

    /// <summary>The share of examples whose answer is exactly right, from 0 to 1.</summary>
    public static double Accuracy(IReadOnlyList<InstructionExample> examples, IReadOnlyList<string> answers)
    {
        if (examples.Count != answers.Count)
            throw new ArgumentException($"{examples.Count} examples but {answers.Count} answers.", nameof(answers));
        return examples.Count == 0 ? 0 : examples.Zip(answers).Count(p => p.First.Output == p.Second) / (double)examples.Count;
    }

    static List<string> Draw(Random random, HashSet<string> taken, int count, char[] alphabet, int minLength, int maxLength)
    {
        var words = new List<string>(count);
        while (words.Count < count)
        {
            int length = random.Next(minLength, maxLength + 1);
            var word = string.Create(length, (random, alphabet), (span, s) =>
            {
                for (int i = 0; i < span.Length; i++) span[i] = s.alphabet[s.random.Next(s.alphabet.Length)];
            });
            if (taken.Add(word)) words.Add(word);
        }
        return words;
    }

    /// <summary>Word i gets task i mod the task count, so every task has its share and each word one task.</summary>
    static InstructionExample[] Examples(List<string> words, IReadOnlyList<InstructionTask> tasks) =>
        [.. words.Select((word, i) => new InstructionExample(tasks[i % tasks.Count], word, Solve(tasks[i % tasks.Count], word)))];
}
