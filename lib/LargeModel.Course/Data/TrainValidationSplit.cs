using System.Text;

namespace LargeModel.Course.Data;

/// <summary>
/// Which documents are held out for validation. The choice hashes each document's own text, so it does not
/// depend on file order, on how many documents there are, or on the machine: a poem is in the same split today
/// and next year, and two copies of one poem can never land on both sides and flatter the validation loss.
/// </summary>
public static class TrainValidationSplit
{
    /// <summary>The share of documents held out: one in ten.</summary>
    public const double ValidationFraction = 0.1;

    public static bool IsValidation(string documentKey, double fraction = ValidationFraction) =>
        Fnv1a(documentKey) % 10_000 < (ulong)Math.Round(fraction * 10_000);

    // FNV-1a is stable across runtimes and processes, unlike string.GetHashCode, which .NET randomises per run.
    static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211;
        }
        return hash;
    }
}
