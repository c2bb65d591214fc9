using LargeModel.Course.Data;
using LargeModel.Course.FineTuning;
using LargeModel.Course.Generation;
using LargeModel.Course.Models;
using LargeModel.Course.Tests.Models;
using LargeModel.Course.Tokenizers;
using LargeModel.Course.Training;

namespace LargeModel.Course.Tests.FineTuning;

/// <summary>Instruction batches through the language-model trainer, with LoRA: the pieces of lesson 12 together.</summary>
[Collection(nameof(ModelsCollection))]
public class MaskedTrainingTests
{
    static readonly CharTokenizer Tokenizer = CharTokenizer.FromText(" ,." + InstructionTasks.Letters + InstructionTasks.Letters.ToUpperInvariant());

    [Fact]
    public void The_trainer_scores_only_the_completion_of_an_instruction_batch()
    {
        Seed.All(6);
        using var scope = NewDisposeScope();
        using var gpt = new Gpt(new GptConfig(VocabSize: Tokenizer.VocabSize, BlockSize: 24, Layers: 1, Heads: 2, Embedding: 16));
        var set = InstructionTasks.Generate(train: 16, heldOut: 0, seed: 1);
        var batch = InstructionTasks.ToBatch(set.Train, Tokenizer);

        // By hand: the mean of −log p(next token) over the completion tokens only.
        double sum = 0;
        int count = 0;
        using (no_grad())
        {
            var logProbabilities = gpt.forward(batch.X).log_softmax(-1);
            for (int i = 0; i < set.Train.Count; i++)
            {
                var ids = Tokenizer.Encode(set.Train[i].Text);
                for (int t = set.Train[i].Prompt.Length - 1; t < ids.Length - 1; t++, count++)
                    sum -= logProbabilities[i, t, ids[t + 1]].item<float>();
            }
        }
        Assert.Equal(set.Train.Sum(e => e.Completion.Length), count);

        var trainer = new LanguageModelTrainer(gpt, () => (batch.X, batch.Y), options: new LanguageModelTrainingOptions
        {
            LearningRate = 1e-2, MinLearningRate = 1e-2, WarmupSteps = 0, WeightDecay = 0, EvalInterval = 0,
        });
        var first = trainer.TrainStep();
        Assert.Equal(sum / count, first.Loss, 4);
        var last = trainer.Train(40).Steps[^1];
        Assert.True(last.Loss < 0.5 * first.Loss, $"loss {first.Loss:F3} → {last.Loss:F3}");
    }

    [Fact]
    public void A_GPT_with_LoRA_generates_the_same_tokens_with_and_without_the_KV_cache()
    {
        Seed.All(8);
        using var gpt = new Gpt(new GptConfig(VocabSize: 11, BlockSize: 16, Layers: 2, Heads: 2, Embedding: 16));
        var adapter = LoRA.Apply(gpt, @"attn\.|mlp\.", rank: 2);
        using (no_grad())
            foreach (var layer in adapter.Layers.Values) layer.B.normal_(0, 0.5); // a non-trivial adapter
        int[] prompt = [1, 2, 3];
        var cached = TextGenerator.Generate(gpt, prompt, new SamplingOptions { Greedy = true, MaxNewTokens = 20 })[0];
        var recomputed = TextGenerator.Generate(gpt, prompt, new SamplingOptions { Greedy = true, MaxNewTokens = 20, UseCache = false })[0];
        Assert.Equal(recomputed, cached);
        adapter.Merge();
        Assert.Equal(recomputed, TextGenerator.Generate(gpt, prompt, new SamplingOptions { Greedy = true, MaxNewTokens = 20 })[0]);
    }
}
