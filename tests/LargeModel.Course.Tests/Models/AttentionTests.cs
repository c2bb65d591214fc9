using LargeModel.Course.Models;

namespace LargeModel.Course.Tests.Models;

[Collection(nameof(ModelsCollection))]
public class AttentionTests
{
    static readonly GptConfig Small = new(VocabSize: 11, BlockSize: 8, Layers: 2, Heads: 2, Embedding: 8);

    [Fact]
    public void Attention_has_the_shapes_of_the_formula_and_rows_of_weights_sum_to_one()
    {
        Seed.All(1);
        using var scope = NewDisposeScope();
        var q = randn(2, 3, 5, 4);
        var k = randn(2, 3, 7, 4);
        var v = randn(2, 3, 7, 6);
        var (output, weights) = ScaledDotProductAttention.WithWeights(q, k, v);
        Assert.Equal(new long[] { 2, 3, 5, 6 }, output.shape);
        Assert.Equal(new long[] { 2, 3, 5, 7 }, weights.shape);
        Check.Close(weights.sum(-1), ones(2, 3, 5), 1e-6, "row sums");
    }

    [Fact]
    public void The_written_out_attention_equals_the_fused_kernel_with_and_without_the_causal_mask()
    {
        Assert.True(CausalSelfAttention.FusedAvailable, "TorchSharp 0.107 has scaled_dot_product_attention");
        Seed.All(2);
        using var scope = NewDisposeScope();
        var q = randn(2, 3, 6, 4);
        var k = randn(2, 3, 6, 4);
        var v = randn(2, 3, 6, 4);
        Check.Close(ScaledDotProductAttention.Compute(q, k, v), nn.functional.scaled_dot_product_attention(q, k, v), 1e-5, "unmasked");
        Check.Close(ScaledDotProductAttention.Compute(q, k, v, causal: true),
            nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true), 1e-5, "causal");
    }

    [Fact]
    public void The_causal_mask_with_fewer_queries_than_keys_lets_the_last_queries_see_everything_before_them()
    {
        using var mask = ScaledDotProductAttention.CausalMask(2, 4);
        Assert.Equal(new[] { true, true, true, false, true, true, true, true }, mask.data<bool>().ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_module_equals_a_plain_loop_over_heads(bool fused)
    {
        Seed.All(3);
        using var scope = NewDisposeScope();
        var attention = new CausalSelfAttention(Small) { UseFused = fused };
        attention.eval();
        var x = randn(2, 5, Small.Embedding);
        var p = attention.named_parameters().ToDictionary(n => n.name, n => (Tensor)n.parameter);

        var qkv = nn.functional.linear(x, p["c_attn.weight"], p["c_attn.bias"]);
        int e = Small.Embedding, hs = Small.HeadSize;
        var heads = new List<Tensor>();
        for (int head = 0; head < Small.Heads; head++)
        {
            var q = qkv.narrow(2, head * hs, hs);
            var k = qkv.narrow(2, e + head * hs, hs);
            var v = qkv.narrow(2, 2 * e + head * hs, hs);
            heads.Add(ScaledDotProductAttention.Compute(q, k, v, causal: true));
        }
        var expected = nn.functional.linear(cat(heads, 2), p["c_proj.weight"], p["c_proj.bias"]);

        Check.Close(attention.forward(x), expected, 1e-5, "module vs per-head loop");
    }

    [Fact]
    public void Changing_future_tokens_does_not_change_earlier_logits()
    {
        Seed.All(4);
        using var scope = NewDisposeScope();
        var model = new Gpt(Small);
        model.eval();
        var a = randint(0, Small.VocabSize, new long[] { 2, 8 });
        var b = a.clone();
        b[TensorIndex.Colon, TensorIndex.Slice(5)] = randint(0, Small.VocabSize, new long[] { 2, 3 });
        var la = model.forward(a);
        var lb = model.forward(b);
        Check.Close(lb.narrow(1, 0, 5), la.narrow(1, 0, 5), 1e-6, "logits before the change");
        Assert.True(lb.narrow(1, 5, 3).sub(la.narrow(1, 5, 3)).abs().max().item<float>() > 1e-4, "later logits do change");
    }

    [Fact]
    public void Attention_gradients_match_finite_differences_in_float64()
    {
        Seed.All(5);
        using var scope = NewDisposeScope();
        var q = randn(new long[] { 1, 2, 3, 2 }, dtype: ScalarType.Float64);
        var k = randn(new long[] { 1, 2, 3, 2 }, dtype: ScalarType.Float64);
        var v = randn(new long[] { 1, 2, 3, 2 }, dtype: ScalarType.Float64);
        var w = randn(new long[] { 1, 2, 3, 2 }, dtype: ScalarType.Float64);
        GradientCheck.AgainstFiniteDifferences(x => (ScaledDotProductAttention.Compute(x, k, v, causal: true) * w).sum(), q);
        GradientCheck.AgainstFiniteDifferences(x => (ScaledDotProductAttention.Compute(q, x, v, causal: true) * w).sum(), k);
        GradientCheck.AgainstFiniteDifferences(x => (ScaledDotProductAttention.Compute(q, k, x, causal: true) * w).sum(), v);
    }

    [Fact]
    public void GptBlock_gradients_match_finite_differences_in_float64()
    {
        Seed.All(6);
        using var scope = NewDisposeScope();
        var config = new GptConfig(VocabSize: 5, BlockSize: 4, Layers: 1, Heads: 2, Embedding: 4);
        var block = new GptBlock(config);
        block.to(ScalarType.Float64);
        block.Attention.UseFused = false;
        var x = randn(new long[] { 1, 3, 4 }, dtype: ScalarType.Float64);
        var w = randn(new long[] { 1, 3, 4 }, dtype: ScalarType.Float64);
        GradientCheck.AgainstFiniteDifferences(input => (block.forward(input) * w).sum(), x);
        var cAttn = block.named_parameters().Single(p => p.name == "attn.c_attn.weight").parameter;
        GradientCheck.ParameterAgainstFiniteDifferences(() => (block.forward(x) * w).sum(), cAttn);
    }

    [Fact]
    public void Sinusoidal_encoding_follows_the_formula()
    {
        using var table = PositionalEncoding.Sinusoidal(10, 6);
        Assert.Equal(new long[] { 10, 6 }, table.shape);
        int pos = 7, i = 1;
        double angle = pos / Math.Pow(10000, 2.0 * i / 6);
        Assert.Equal(Math.Sin(angle), table[pos, 2 * i].item<float>(), 5);
        Assert.Equal(Math.Cos(angle), table[pos, 2 * i + 1].item<float>(), 5);
        using var module = new SinusoidalPositionalEncoding(10, 6);
        using var x = zeros(2, 4, 6);
        using var y = module.forward(x);
        Check.Close(y[0], table.narrow(0, 0, 4), 1e-6, "added to zeros gives the table");
        using var learned = new LearnedPositionalEncoding(10, 6);
        using var z = learned.forward(x);
        Assert.Equal(new long[] { 2, 4, 6 }, z.shape);
    }
}

static class GradientCheck
{
    /// <summary>The autograd gradient of a scalar function equals central differences, element by element.</summary>
    public static void AgainstFiniteDifferences(Func<Tensor, Tensor> f, Tensor at)
    {
        using var scope = NewDisposeScope();
        var x = at.detach().clone().requires_grad_(true);
        f(x).backward();
        var analytic = x.grad!.clone();
        var numeric = zeros_like(at);
        var flat = at.detach().clone().flatten();
        for (long i = 0; i < flat.numel(); i++)
        {
            using var inner = NewDisposeScope();
            double h = 1e-6, original = flat[i].item<double>();
            flat[i] = original + h;
            double plus = f(flat.view(at.shape)).item<double>();
            flat[i] = original - h;
            double minus = f(flat.view(at.shape)).item<double>();
            flat[i] = original;
            numeric.view(-1)[i] = (plus - minus) / (2 * h);
        }
        Check.Close(analytic, numeric, 1e-6, "autograd vs finite differences");
    }

    /// <summary>The same for a parameter of a module, on a handful of its entries.</summary>
    public static void ParameterAgainstFiniteDifferences(Func<Tensor> f, Tensor parameter, int entries = 12)
    {
        using var scope = NewDisposeScope();
        parameter.grad?.zero_();
        f().backward();
        var analytic = parameter.grad!.clone().view(-1);
        using var noGrad = no_grad();
        var flat = parameter.view(-1);
        for (long i = 0; i < Math.Min(entries, flat.numel()); i++)
        {
            using var inner = NewDisposeScope();
            double h = 1e-6, original = flat[i].item<double>();
            flat[i] = original + h;
            double plus = f().item<double>();
            flat[i] = original - h;
            double minus = f().item<double>();
            flat[i] = original;
            Check.Close(analytic[i].item<double>(), (plus - minus) / (2 * h), 1e-6, $"parameter entry {i}");
        }
    }
}
