using System.CommandLine;
using System.Diagnostics;
using LargeModel.Course.Generation;
using LargeModel.Course.Models;
using LargeModel.Course.Training;
using static TorchSharp.torch;

namespace LargeModel.Course.Cli;

/// <summary><c>course bench train</c> and <c>course bench generate</c>: the GPT's speed and memory, printed.</summary>
static partial class BenchCommand
{
    static readonly Option<int> Layers = new("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => 4 };
    static readonly Option<int> Heads = new("--heads") { Description = "Attention heads per block.", DefaultValueFactory = _ => 4 };
    static readonly Option<int> Embedding = new("--embedding") { Description = "Embedding width.", DefaultValueFactory = _ => 128 };
    static readonly Option<int> Vocab = new("--vocab") { Description = "Vocabulary size (65: Shakespeare's characters).", DefaultValueFactory = _ => 65 };
    static readonly Option<int> Threads = new("--threads") { Description = "CPU threads for torch (default: COURSE_THREADS, else the physical cores)." };

    /// <summary>Training throughput of the GPT, its model FLOP/s against the matmul peak, and memory across steps.</summary>
    static Command Train()
    {
        var block = new Option<int>("--block") { Description = "Context length (tokens per sequence).", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 12 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (the full memory check: --warmup 1000 --steps 1000).", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first (the allocator settles over the first few hundred).", DefaultValueFactory = _ => 10 };
        var unfused = new Option<bool>("--unfused") { Description = "Use the written-out attention instead of the fused kernel." };
        var command = new Command("train", "Time GPT training steps (defaults: nanoGPT's CPU configuration) and check memory stays flat.")
        { Layers, Heads, Embedding, Vocab, block, batch, steps, warmup, unfused, Threads };
        command.SetAction(result =>
        {
            int threads = CpuThreads.Configure(result.GetValue(Threads) is int t and > 0 ? t : null);
            var config = new GptConfig(result.GetValue(Vocab), result.GetValue(block), result.GetValue(Layers), result.GetValue(Heads), result.GetValue(Embedding));
            int b = result.GetValue(batch), n = result.GetValue(steps), w = result.GetValue(warmup);
            Seed.All(1337);
            using var model = new Gpt(config) { UseFusedAttention = !result.GetValue(unfused) };

            // A few fixed random batches, cycled: the bench times the model, not data loading.
            var pool = Enumerable.Range(0, 8).Select(_ =>
                (X: randint(0, config.VocabSize, new long[] { b, config.BlockSize }).DetachFromDisposeScope(),
                 Y: randint(0, config.VocabSize, new long[] { b, config.BlockSize }).DetachFromDisposeScope())).ToArray();
            int next = 0;
            var trainer = new LanguageModelTrainer(model, () => pool[next++ % pool.Length], null,
                new LanguageModelTrainingOptions { LearningRate = 1e-3, WarmupSteps = 10, DecaySteps = w + n, EvalInterval = 0 });

            long parameters = model.CountParameters();
            long matmulParameters = Flops.MatmulParameters(config); // position embeddings are looked up, not multiplied
            double flopsPerToken = Flops.TrainingPerToken(config);  // 6·N + 12·L·E·T
            Console.WriteLine($"config:     {config.Layers} layers, {config.Heads} heads, {config.Embedding} wide, block {config.BlockSize}, batch {b}, vocab {config.VocabSize}, {(model.UseFusedAttention ? "fused" : "written-out")} attention");
            Console.WriteLine($"threads:    {threads} (torch intra-op), float32, {Devices.Choose("cpu").Device}");
            Console.WriteLine($"parameters: {parameters:N0} (formula {config.ParameterCount():N0})");

            double peak = MatmulThroughput.Measure(CPU, 1024, 1.0);
            trainer.Train(w);
            GC.Collect();
            var (tensorsBefore, rssBefore, managedBefore) = (LiveTensors.Count, RssMegabytes(), GC.GetTotalMemory(true) / 1048576.0);

            var clock = Stopwatch.StartNew();
            trainer.Train(n);
            double seconds = clock.Elapsed.TotalSeconds;
            GC.Collect();
            var (tensorsAfter, rssAfter, managedAfter) = (LiveTensors.Count, RssMegabytes(), GC.GetTotalMemory(true) / 1048576.0);
            double peakAfter = MatmulThroughput.Measure(CPU, 1024, 1.0);
            peak = Math.Max(peak, peakAfter);

            double tokens = (double)b * config.BlockSize * n;
            double modelFlops = flopsPerToken * tokens / seconds;
            Console.WriteLine($"step:       {seconds * 1000 / n:0.00} ms/step over {n} steps, {tokens / seconds:N0} tokens/s (final loss {trainer.History.Steps[^1].Loss:0.000})");
            Console.WriteLine($"model:      {modelFlops / 1e9:0.00} GFLOP/s, counting 6·N + 12·L·E·T FLOPs per token (N = {matmulParameters:N0} parameters that multiply, T = block)");
            Console.WriteLine($"matmul:     {peak:0.00} GFLOP/s (1024² float32, best of before and after the run)");
            Console.WriteLine($"ratio:      {modelFlops / 1e9 / peak:P0} of the matmul peak");
            Console.WriteLine($"memory:     live tensors {tensorsBefore} -> {tensorsAfter} ({tensorsAfter - tensorsBefore:+0;-0;0}), RSS {rssBefore:0} MB -> {rssAfter:0} MB ({rssAfter - rssBefore:+0;-0;0} MB), .NET heap {managedBefore:0.0} MB -> {managedAfter:0.0} MB, from step {w} to step {w + n}");
            foreach (var (x, y) in pool) { x.Dispose(); y.Dispose(); }
            return 0;
        });
        return command;
    }

    /// <summary>Generation speed with and without the KV cache.</summary>
    static Command Generate()
    {
        var positions = new Option<int[]>("--positions") { Description = "Sequence lengths to generate up to.", DefaultValueFactory = _ => [256, 1024], AllowMultipleArgumentsPerToken = true };
        var command = new Command("generate", "Time generation with and without the KV cache.") { Layers, Heads, Embedding, Vocab, positions, Threads };
        command.SetAction(result =>
        {
            int threads = CpuThreads.Configure(result.GetValue(Threads) is int t and > 0 ? t : null);
            var lengths = result.GetValue(positions)!;
            var config = new GptConfig(result.GetValue(Vocab), lengths.Max(), result.GetValue(Layers), result.GetValue(Heads), result.GetValue(Embedding));
            Seed.All(1337);
            using var model = new Gpt(config);
            Console.WriteLine($"config:  {config.Layers} layers, {config.Heads} heads, {config.Embedding} wide, block {config.BlockSize}, vocab {config.VocabSize}, batch 1, greedy; {threads} threads");
            TextGenerator.Generate(model, [0], new SamplingOptions { Greedy = true, MaxNewTokens = 16 }); // warm up
            foreach (int length in lengths)
            {
                var options = new SamplingOptions { Greedy = true, MaxNewTokens = length - 1 };
                var (cached, cachedRate) = Time(() => TextGenerator.Generate(model, [0], options with { UseCache = true }), length - 1);
                var (recomputed, recomputedRate) = Time(() => TextGenerator.Generate(model, [0], options with { UseCache = false }), length - 1);
                bool same = cached[0].SequenceEqual(recomputed[0]);
                Console.WriteLine($"{length,5} positions: with cache {cachedRate,8:0.0} tokens/s, without {recomputedRate,8:0.0} tokens/s, speed-up {cachedRate / recomputedRate,5:0.0}x, same tokens: {(same ? "yes" : "NO")}");
            }
            return 0;
        });
        return command;

        static (int[][] Tokens, double Rate) Time(Func<int[][]> run, int tokens)
        {
            var clock = Stopwatch.StartNew();
            var result = run();
            return (result, tokens / clock.Elapsed.TotalSeconds);
        }
    }

    static double RssMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64 / 1048576.0;
    }
}
