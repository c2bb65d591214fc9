using System.Globalization;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace LargeModel.Course.FineTuning;

/// <summary>
/// Choosing what fine-tuning updates. A frozen parameter (<c>requires_grad = false</c>) gets no gradient, so the
/// optimisers of the course leave it alone (they are built from the trainable parameters only: build the optimiser
/// after freezing) and it stays bit-identical however long the model trains.
/// </summary>
public static class Freezing
{
    /// <summary>
    /// Freezes the parameters whose state-dict name (e.g. <c>h.0.attn.c_attn.weight</c>) matches the regular expression
    /// <paramref name="pattern"/>, or all of them when it is null. Returns how many numbers were frozen.
    /// </summary>
    public static long Freeze(nn.Module module, string? pattern = null) => Set(module, pattern, trainable: false);

    /// <summary>Makes the matching parameters (all when <paramref name="pattern"/> is null) trainable again.</summary>
    public static long Unfreeze(nn.Module module, string? pattern = null) => Set(module, pattern, trainable: true);

    /// <summary>How many numbers of the module training would change.</summary>
    public static long Trainable(nn.Module module) => module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>All the numbers of the module, trainable or not.</summary>
    public static long Total(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>For example <c>12,345 of 1,234,567 parameters trainable (1.0%)</c>.</summary>
    public static string Describe(nn.Module module)
    {
        long trainable = Trainable(module), total = Total(module);
        double share = total == 0 ? 0 : 100.0 * trainable / total;
        return string.Create(CultureInfo.InvariantCulture, $"{trainable:N0} of {total:N0} parameters trainable ({share:0.0}%)");
    }

    static long Set(nn.Module module, string? pattern, bool trainable)
    {
        var regex = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant);
        long changed = 0;
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (regex is not null && !regex.IsMatch(name)) continue;
            parameter.requires_grad = trainable;
            changed += parameter.numel();
        }
        if (regex is not null && changed == 0)
            throw new ArgumentException(
                $"No parameter name matches '{pattern}'. Names look like: {string.Join(", ", module.named_parameters().Take(4).Select(p => p.name))}.",
                nameof(pattern));
        return changed;
    }
}
