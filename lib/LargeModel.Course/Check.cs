using System.Globalization;
using TorchSharp;

namespace LargeModel.Course;

/// <summary>
/// Assertions for lessons and exercises. A notebook states its claims with these ("the closed form and
/// gradient descent agree", "the validation loss fell"); when a claim stops holding the cell fails with a
/// message that says what was expected, what was found, and what to look at, so executing the notebook in
/// CI also proves the lesson still teaches what it says.
/// </summary>
public static class Check
{
    /// <summary>Fails with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string message)
    {
        if (!condition) throw new CheckFailedException(message);
    }

    /// <summary>Two numbers agree within an absolute or relative tolerance.</summary>
    public static void Close(double actual, double expected, double tolerance, string what)
    {
        double difference = Math.Abs(actual - expected);
        if (double.IsFinite(actual) && difference <= tolerance * Math.Max(1, Math.Abs(expected))) return;
        throw new CheckFailedException(
            $"{what}: expected {F(expected)}, got {F(actual)} (difference {F(difference)}, tolerance {F(tolerance)}).");
    }

    /// <summary>Two tensors have the same shape and agree element-wise within <paramref name="tolerance"/>.</summary>
    public static void Close(torch.Tensor actual, torch.Tensor expected, double tolerance, string what)
    {
        if (!actual.shape.SequenceEqual(expected.shape))
            throw new CheckFailedException($"{what}: expected shape [{string.Join(", ", expected.shape)}], got [{string.Join(", ", actual.shape)}].");
        using var scope = torch.NewDisposeScope();
        var difference = (actual.detach().to(torch.float64).cpu() - expected.detach().to(torch.float64).cpu()).abs();
        double worst = difference.max().item<double>();
        double scale = Math.Max(1, expected.detach().to(torch.float64).abs().max().item<double>());
        if (double.IsFinite(worst) && worst <= tolerance * scale) return;
        long at = difference.argmax().item<long>();
        throw new CheckFailedException(
            $"{what}: largest difference {F(worst)} at flat index {at} exceeds tolerance {F(tolerance)}.");
    }

    /// <summary>A number lies strictly below a bound, e.g. a loss that must have fallen under a target.</summary>
    public static void Below(double actual, double bound, string what)
    {
        if (actual < bound) return;
        throw new CheckFailedException($"{what}: expected below {F(bound)}, got {F(actual)}.");
    }

    /// <summary>A number lies strictly above a bound, e.g. an accuracy that must have been reached.</summary>
    public static void Above(double actual, double bound, string what)
    {
        if (actual > bound) return;
        throw new CheckFailedException($"{what}: expected above {F(bound)}, got {F(actual)}.");
    }

    static string F(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>A lesson's claim or an exercise's check did not hold; the message says what to look at.</summary>
public sealed class CheckFailedException(string message) : Exception(message);
