using LargeModel.Course.FineTuning;
using LargeModel.Course.Models;
using LargeModel.Course.Tests.Models;
using LargeModel.Course.Training;

namespace LargeModel.Course.Tests.FineTuning;

[Collection(nameof(ModelsCollection))]
public class GptClassifierTests
{
    static readonly GptConfig Small = new(VocabSize: 10, BlockSize: 8, Layers: 2, Heads: 2, Embedding: 16);

    [Theory]
    [InlineData(ClassifierPooling.Last)]
    [InlineData(ClassifierPooling.Mean)]
    public void It_maps_sequences_to_one_row_of_class_logits_and_padding_changes_nothing(ClassifierPooling pooling)
    {
        Seed.All(1);
        using var scope = NewDisposeScope();
        using var classifier = new GptClassifier(new Gpt(Small), classes: 3, pooling);
        classifier.eval();
        var idx = randint(0, 10, [4, 8]);
        Assert.Equal(new long[] { 4, 3 }, classifier.forward(idx).shape);

        // Rows padded on the right: each row's logits equal those of its unpadded sequence.
        var lengths = tensor(new long[] { 8, 5, 1, 3 });
        var padded = classifier.forward(idx, lengths);
        for (int i = 0; i < 4; i++)
        {
            long n = lengths[i].item<long>();
            var alone = classifier.forward(idx[i..(i + 1), ..(int)n]);
            Assert.True(Same.MaxDifference(alone[0], padded[i]) < 1e-5, $"row {i}");
        }
        Assert.Throws<ArgumentException>(() => classifier.forward(idx, tensor(new long[] { 8, 9, 1, 1 })));
    }

    [Fact]
    public void Its_state_dict_is_the_GPTs_under_body_plus_the_head()
    {
        using var gpt = new Gpt(Small);
        var names = gpt.state_dict().Keys.Select(k => "body." + k).ToHashSet();
        using var classifier = new GptClassifier(gpt, classes: 4);
        Assert.Equal(names.Append("head.weight").Append("head.bias").ToHashSet(), classifier.state_dict().Keys.ToHashSet());
        Assert.Equal(GptConfig.ParameterCount(Small) + 16 * 4 + 4, Freezing.Total(classifier));
        Freezing.Freeze(classifier, @"^body\.");
        Assert.Equal(16 * 4 + 4, Freezing.Trainable(classifier));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_language_model_trainer_teaches_it_a_trivially_separable_task(bool headOnly)
    {
        // Class 0: sequences of tokens 0-4; class 1: tokens 5-9. Separable from any position's token.
        Seed.All(2);
        using var classifier = new GptClassifier(new Gpt(Small), classes: 2);
        var body = classifier.Body.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        if (headOnly) Freezing.Freeze(classifier, @"^body\.");
        var labels = tensor(Enumerable.Range(0, 32).Select(i => (long)(i % 2)).ToArray());
        var x = randint(0, 5, [32, 8]) + 5 * labels.unsqueeze(1);
        // The language model's trainer, unchanged: Gpt.Loss reads (B, C) logits against (B) labels.
        var trainer = new LanguageModelTrainer(classifier, () => (x, labels), options: new LanguageModelTrainingOptions
        {
            LearningRate = 1e-2, MinLearningRate = 1e-2, WarmupSteps = 0, WeightDecay = 0, EvalInterval = 0,
        });
        var steps = trainer.Train(60).Steps;
        double first = steps[0].Loss, last = steps[^1].Loss;
        classifier.eval();
        using var noGrad = no_grad();
        var predicted = classifier.forward(x).argmax(1);
        Assert.Equal(labels.data<long>().ToArray(), predicted.data<long>().ToArray());
        Assert.True(last < 0.3 * first, $"loss {first:F3} → {last:F3}");
        bool bodyUnchanged = classifier.Body.named_parameters().All(p => Same.Bits(p.parameter, body[p.name]));
        Assert.Equal(headOnly, bodyUnchanged);
    }

    [Fact]
    public void LoRA_on_the_body_plus_the_head_trains_exactly_the_adapter_and_the_head()
    {
        Seed.All(3);
        using var classifier = new GptClassifier(new Gpt(Small), classes: 5);
        var adapter = LoRA.Apply(classifier.Body, rank: 2);
        Assert.Equal(16 * 5 + 5, Freezing.Unfreeze(classifier, @"^head\."));
        long e = Small.Embedding;
        Assert.Equal(Small.Layers * 6 * 2 * e + 16 * 5 + 5, Freezing.Trainable(classifier));
        Assert.Equal(adapter.TrainableCount + 16 * 5 + 5, Freezing.Trainable(classifier));
        Assert.Contains("body.h.1.attn.c_proj.lora_B", classifier.state_dict().Keys);
    }
}
