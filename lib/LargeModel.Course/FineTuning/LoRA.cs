using System.Text.RegularExpressions;
using LargeModel.Course.Models;
using TorchSharp.Modules;

namespace LargeModel.Course.FineTuning;

/// <summary>Puts LoRA adapters on a GPT's Linear layers.</summary>
public static class LoRA
{
    /// <summary>The attention's two layers, as in the LoRA paper (which adapted the query and value projections).</summary>
    public const string AttentionLayers = @"attn\.c_attn|attn\.c_proj";

    /// <summary>
    /// Wraps every Linear of <paramref name="gpt"/> whose module name (e.g. <c>h.0.attn.c_attn</c>) matches the regular
    /// expression <paramref name="pattern"/> in a <see cref="LoRALinear"/>, and freezes every other parameter of the
    /// GPT: afterwards only the adapters' A and B train. Build the optimiser after this call.
    /// </summary>
    /// <param name="seed">Draws the A matrices (layer i from <c>seed + i</c>), so the same call gives the same adapter.</param>
    public static LoRAAdapter Apply(Gpt gpt, string pattern = AttentionLayers, int rank = 4, double alpha = 8, long seed = 0)
    {
        if (gpt.modules().OfType<LoRALinear>().Any())
            throw new InvalidOperationException("This GPT already has LoRA adapters. Use the adapter Apply returned (Reset, Load), or Remove it first.");
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var modules = gpt.named_modules().ToDictionary(m => m.name, m => m.module);
        var targets = modules.Where(m => m.Value is Linear && regex.IsMatch(m.Key)).Select(m => m.Key).ToList();
        if (targets.Count == 0)
            throw new ArgumentException(
                $"No Linear layer of the GPT matches '{pattern}'. Its Linear layers are named like: " +
                string.Join(", ", modules.Where(m => m.Value is Linear).Select(m => m.Key).Take(4)) + ".", nameof(pattern));

        // Checked before anything changes, so a refused call leaves the GPT as it was.
        foreach (var name in targets)
            LoRALinear.CheckArguments((Linear)modules[name], rank, alpha, $"'{name}'");
        var trainableBefore = gpt.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToHashSet();
        Freezing.Freeze(gpt);
        var layers = new List<LoRAAdapter.Slot>();
        foreach (var name in targets)
        {
            int dot = name.LastIndexOf('.');
            string parentName = dot < 0 ? "" : name[..dot], field = name[(dot + 1)..];
            if (!modules.TryGetValue(parentName, out var parent) || parent is not ILinearSlots slots)
                throw new ArgumentException($"The layer '{name}' cannot be wrapped: only the attention's and the feed-forward block's layers can.", nameof(pattern));
            var original = (Linear)modules[name];
            var lora = new LoRALinear(original, rank, alpha, seed + layers.Count);
            slots.Replace(field, lora);
            layers.Add(new LoRAAdapter.Slot(name, slots, field, original, lora));
        }
        return new LoRAAdapter(gpt, pattern, rank, alpha, layers, trainableBefore);
    }
}
