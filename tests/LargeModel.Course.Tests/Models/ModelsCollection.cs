namespace LargeModel.Course.Tests.Models;

/// <summary>
/// The model tests seed torch's global generator and use the ambient <see cref="Interrupt"/>, both process-wide, so
/// they run on their own rather than beside other tests.
/// </summary>
[CollectionDefinition(nameof(ModelsCollection), DisableParallelization = true)]
public sealed class ModelsCollection;
