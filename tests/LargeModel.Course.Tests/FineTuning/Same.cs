namespace LargeModel.Course.Tests.FineTuning;

static class Same
{
    /// <summary>Same shape and every element bit for bit equal.</summary>
    public static bool Bits(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>The largest absolute difference, as a double.</summary>
    public static double MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().to_type(float64).item<double>();
}
