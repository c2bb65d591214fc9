using LargeModel.Course.Optimizers;
using OptimizerHelper = TorchSharp.Modules.OptimizerHelper;
using Parameter = TorchSharp.Modules.Parameter;

namespace LargeModel.Course.Tests;

/// <summary>Each from-scratch optimiser takes the same 20 steps as TorchSharp's, from the same weights on the same data.</summary>
[Collection(nameof(Models.ModelsCollection))] // seeds torch's global generator and depends on what it draws next
public class OptimizerTests
{
    const int Steps = 20;

    static nn.Module<Tensor, Tensor> SmallModel()
    {
        manual_seed(7);
        return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2));
    }

    /// <summary>Trains two copies of one model side by side and returns the largest weight difference after each step.</summary>
    static List<double> Compare(Func<IEnumerable<Parameter>, IOptimizer> ours, Func<IEnumerable<Parameter>, OptimizerHelper> theirs)
    {
        var a = SmallModel();
        var b = SmallModel();
        manual_seed(11);
        using var x = randn(16, 3);
        using var y = randn(16, 2);
        var mine = ours(a.parameters());
        var reference = new TorchOptimizer(theirs(b.parameters()));
        var differences = new List<double>();
        double moved = 0;
        for (int step = 0; step < Steps; step++)
        {
            foreach (var (model, optimizer) in new[] { (a, mine), (b, (IOptimizer)reference) })
            {
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                nn.functional.mse_loss(model.call(x), y).backward();
                optimizer.Step();
            }
            using var scope2 = NewDisposeScope();
            differences.Add(a.parameters().Zip(b.parameters(), (p, q) => (p - q).abs().max().item<float>()).Max());
            moved = a.parameters().Zip(SmallModel().parameters(), (p, q) => (p - q).abs().max().item<float>()).Max();
        }
        Assert.True(moved > 1e-3, $"the weights barely moved ({moved}), so agreement would prove nothing");
        return differences;
    }

    static void AssertAgree(List<double> differences) =>
        Assert.True(differences.Max() < 1e-6, $"largest difference per step: {string.Join(", ", differences.Select(d => d.ToString("G2")))}");

    [Fact]
    public void SGD_matches_torch_step_for_step() =>
        AssertAgree(Compare(p => new SGD(p, 0.1), p => optim.SGD(p, 0.1)));

    [Fact]
    public void SGD_with_momentum_matches_torch_step_for_step() =>
        AssertAgree(Compare(p => new SGD(p, 0.05, momentum: 0.9), p => optim.SGD(p, 0.05, momentum: 0.9)));

    [Fact]
    public void SGD_with_nesterov_momentum_and_weight_decay_matches_torch() =>
        AssertAgree(Compare(p => new SGD(p, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01),
            p => optim.SGD(p, 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01)));

    [Fact]
    public void RMSProp_matches_torch_step_for_step() =>
        AssertAgree(Compare(p => new RMSProp(p, 0.01, alpha: 0.9), p => optim.RMSProp(p, 0.01, alpha: 0.9)));

    [Fact]
    public void RMSProp_with_momentum_matches_torch_step_for_step() =>
        AssertAgree(Compare(p => new RMSProp(p, 0.005, momentum: 0.5), p => optim.RMSProp(p, 0.005, momentum: 0.5)));

    [Fact]
    public void Adam_matches_torch_step_for_step() =>
        AssertAgree(Compare(p => new Adam(p, 0.01), p => optim.Adam(p, 0.01, beta1: 0.9, beta2: 0.999)));

    [Fact]
    public void AdamW_matches_torch_step_for_step() =>
        AssertAgree(Compare(p => new AdamW(p, 0.01, weightDecay: 0.1), p => optim.AdamW(p, 0.01, beta1: 0.9, beta2: 0.999, weight_decay: 0.1)));

    [Fact]
    public void FlatAdamW_matches_torch_AdamW_step_for_step() =>
        AssertAgree(Compare(p => new FlatAdamW(p, [], 0.01, weightDecay: 0.1), p => optim.AdamW(p, 0.01, beta1: 0.9, beta2: 0.999, weight_decay: 0.1)));

    /// <summary>
    /// The GPT's set-up: decay on the weight matrices only, the whole gradient clipped to a norm. FlatAdamW keeps the
    /// parameters in one buffer; TorchSharp's AdamW gets the same two groups and <c>clip_grad_norm_</c>.
    /// </summary>
    [Fact]
    public void FlatAdamW_with_two_groups_and_clipping_matches_torch_AdamW_with_clip_grad_norm()
    {
        const double clip = 0.5;
        // Adam divides out the gradient's scale, so clipping would hardly show with the usual ε = 1e-8; an ε near the
        // clipped gradient's size makes the step depend on that scale, and a missing or wrong clip visible.
        const double Eps = 1e-2;
        var a = SmallModel();
        var b = SmallModel();
        manual_seed(11);
        using var x = randn(16, 3);
        using var y = randn(16, 2) * 10; // large targets, so the gradient norm starts well above the clip
        var mine = new FlatAdamW(a.parameters().Where(p => p.dim() >= 2), a.parameters().Where(p => p.dim() < 2), 0.01, 0.9, 0.95, Eps, weightDecay: 0.1)
        { MaxGradNorm = clip };
        var reference = optim.AdamW(new List<TorchSharp.Modules.AdamW.ParamGroup>
        {
            new(b.parameters().Where(p => p.dim() >= 2), 0.01, 0.9, 0.95, Eps, 0.1),
            new(b.parameters().Where(p => p.dim() < 2), 0.01, 0.9, 0.95, Eps, 0.0),
        });
        int clipped = 0;
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            mine.ZeroGrad();
            nn.functional.mse_loss(a.call(x), y).backward();
            mine.Step();
            reference.zero_grad();
            nn.functional.mse_loss(b.call(x), y).backward();
            if (nn.utils.clip_grad_norm_(b.parameters(), clip) > clip) clipped++;
            reference.step();
            double difference = a.parameters().Zip(b.parameters(), (p, q) => (p - q).abs().max().item<float>()).Max();
            Assert.True(difference < 1e-6, $"step {step + 1}: largest difference {difference:G3}");
        }
        Assert.True(clipped > Steps / 2, $"clipping engaged on only {clipped} of {Steps} steps, so the comparison says little about it");
    }

    [Fact]
    public void FlatAdamW_keeps_the_parameters_in_its_buffer_and_refuses_state_for_another_model()
    {
        var model = SmallModel();
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var adam = new FlatAdamW(model.parameters(), [], 0.01);
        // Moving the numbers into the buffer changes no value, and the model still trains through its parameters.
        Assert.All(model.parameters().Zip(before), pair => Assert.Equal(0f, (pair.First - pair.Second).abs().max().item<float>()));
        using var x = randn(4, 3);
        model.call(x).sum().backward();
        adam.Step();
        Assert.All(model.parameters().Zip(before), pair => Assert.True((pair.First - pair.Second).abs().min().item<float>() > 0));

        using var saved = new MemoryStream();
        adam.SaveState(new BinaryWriter(saved));
        var other = new FlatAdamW(nn.Linear(3, 5).parameters(), [], 0.01);
        saved.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => other.LoadState(new BinaryReader(saved)));
        Assert.Contains("configuration", error.Message);
        Assert.Equal(0, other.StepCount);
    }

    [Fact]
    public void Adam_and_AdamW_differ_when_decay_is_on_so_the_comparisons_can_fail()
    {
        var differences = Compare(p => new Adam(p, 0.01, weightDecay: 0.1), p => optim.AdamW(p, 0.01, beta1: 0.9, beta2: 0.999, weight_decay: 0.1));
        Assert.True(differences.Max() > 1e-4, $"coupled and decoupled decay should differ, largest difference {differences.Max()}");
    }

    [Fact]
    public void The_first_Adam_step_moves_every_weight_by_the_learning_rate()
    {
        // With bias correction m̂ = g and v̂ = g², so the first step is η·g/|g| = η·sign(g): a check of the equations by hand.
        var w = nn.Parameter(tensor(new float[] { 1, -2, 3 }));
        var adam = new Adam([w], learningRate: 0.1);
        using (var loss = (w * tensor(new float[] { 5, -0.001f, 2 })).sum()) loss.backward();
        adam.Step();
        Assert.Equal(new[] { 0.9f, -1.9f, 2.9f }, w.data<float>().ToArray(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void An_optimiser_without_parameters_or_with_a_bad_rate_is_refused()
    {
        Assert.Contains("model.parameters()", Assert.Throws<ArgumentException>(() => new SGD([], 0.1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([nn.Parameter(zeros(1))], learningRate: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([nn.Parameter(zeros(1))], beta1: 1));
        Assert.Contains(".to(device)", Assert.Throws<ArgumentException>(() => new FlatAdamW([nn.Parameter(zeros(1))], [nn.Parameter(zeros(1, ScalarType.Float64))])).Message);
    }

    [Fact]
    public void A_step_leaves_no_tensors_behind_after_the_state_exists()
    {
        var model = SmallModel();
        var adam = new Adam(model.parameters(), 0.01);
        using var x = randn(4, 3);
        void Step()
        {
            using var scope = NewDisposeScope();
            adam.ZeroGrad();
            model.call(x).sum().backward();
            adam.Step();
        }
        Step();
        Assert.Equal(0, LiveTensors.Growth(() => { for (int i = 0; i < 5; i++) Step(); }));
    }
}

sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(float value) => 0;
}
