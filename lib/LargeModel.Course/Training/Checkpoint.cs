using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LargeModel.Course.Optimizers;
using static TorchSharp.torch;

namespace LargeModel.Course.Training;

/// <summary>The name, shape and element type of one entry of a model's state dict.</summary>
public sealed record TensorSignature(string Name, long[] Shape, string DType)
{
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}] {DType}";
}

/// <summary>What a checkpoint says about itself, readable without loading the weights.</summary>
/// <remarks><c>RandomBytes</c> is the size of torch's saved random generator state (0 in format 1, which did not save it).</remarks>
public sealed record CheckpointInfo(
    int Format, DateTimeOffset SavedAt, long Step, int Epoch, string? Optimizer,
    IReadOnlyList<TensorSignature> Model, History History, long ModelBytes, long OptimizerBytes, string Sha256, long RandomBytes = 0);

/// <summary>A checkpoint that is intact but was saved from a different model or optimiser.</summary>
public sealed class CheckpointMismatchException(string message, IReadOnlyList<string> differences) : InvalidOperationException(message)
{
    /// <summary>One line per difference, e.g. <c>0.weight: [16, 2] in the checkpoint, [32, 2] in the model</c>.</summary>
    public IReadOnlyList<string> Differences { get; } = differences;
}

/// <summary>
/// Saving and resuming a run: the model's weights, the optimiser's state (step count, moving averages), the history,
/// and torch's random generator, in one file.
/// </summary>
/// <remarks>
/// <para>The file: the magic line <c>LargeModel.Course checkpoint</c>, a JSON header (step, epoch, history, the model's
/// signature, the byte counts and SHA-256 of what follows), then the model's state dict as TorchSharp saves it, then
/// the optimiser's state, then the state of torch's CPU random generator.</para>
/// <para>Writing goes to a temporary file beside the target, flushed to disk, then renamed over it: the rename is
/// atomic, so a crash or a full disk leaves the old checkpoint, never half a new one. Loading checks everything
/// (magic, lengths, hash, shapes) before it changes a single weight.</para>
/// <para>Resuming (loading with an optimiser) also puts torch's CPU random generator back where it was, so a model
/// with dropout draws the same masks as a run that never stopped. Loading the weights alone leaves the generator
/// alone. A GPU's generator is not saved: on CUDA, dropout masks after a resume differ.</para>
/// </remarks>
public static class Checkpoint
{
    const string Magic = "LargeModel.Course checkpoint\n";
    const int FormatVersion = 2; // 2 added the random generator; format 1 files still load

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Saves atomically: <paramref name="path"/> is either the old file or the complete new one.</summary>
    public static void Save(string path, nn.Module model, IOptimizer? optimizer = null, History? history = null)
    {
        history ??= new History();
        byte[] weights = Serialize(writer => model.save(writer));
        byte[] optimizerState = optimizer is null ? [] : Serialize(optimizer.SaveState);
        byte[] random;
        using (var state = TorchSharp.torch.random.get_rng_state()) random = state.bytes.ToArray();

        var info = new CheckpointInfo(FormatVersion, DateTimeOffset.UtcNow, history.StepCount, history.EpochCount, optimizer?.Name,
            Signature(model), history, weights.Length, optimizerState.Length, Hash(weights, optimizerState, random), random.Length);
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(info, Json);

        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(header.Length);
            writer.Write(header);
            writer.Write(weights);
            writer.Write(optimizerState);
            writer.Write(random);
        });
    }

    /// <summary>
    /// Loads weights into <paramref name="model"/> and state into <paramref name="optimizer"/>, after checking that
    /// the file is whole (else <see cref="InvalidDataException"/>) and fits them (else <see cref="CheckpointMismatchException"/>).
    /// With an optimiser (a resume) torch's random generator is restored too.
    /// </summary>
    public static CheckpointInfo Load(string path, nn.Module model, IOptimizer? optimizer = null)
    {
        var (info, payload) = ReadVerified(path);

        var differences = Compare(info.Model, Signature(model));
        if (optimizer is not null && info.Optimizer is null)
            differences.Add($"the checkpoint has no optimiser state, but a {optimizer.Name} was given to load it into");
        else if (optimizer is not null && info.Optimizer != optimizer.Name)
            differences.Add($"optimiser: {info.Optimizer} in the checkpoint, {optimizer.Name} given");
        if (differences.Count > 0)
            throw new CheckpointMismatchException(
                $"The checkpoint '{path}' does not fit this model: {string.Join("; ", differences)}. " +
                "Build the model (and optimiser) with the same sizes and kinds as the run that saved it.", differences);

        using (var weights = new BinaryReader(new MemoryStream(payload, 0, (int)info.ModelBytes)))
            model.load(weights, strict: true);
        if (optimizer is not null)
        {
            using var state = new BinaryReader(new MemoryStream(payload, (int)info.ModelBytes, (int)info.OptimizerBytes));
            optimizer.LoadState(state);
            if (info.RandomBytes > 0)
            {
                using var generator = tensor(payload[(int)(info.ModelBytes + info.OptimizerBytes)..]);
                TorchSharp.torch.random.set_rng_state(generator);
            }
        }
        return info;
    }

    /// <summary>Reads and verifies the header and payload without loading anything.</summary>
    public static CheckpointInfo ReadInfo(string path) => ReadVerified(path).Info;

    /// <summary>The names, shapes and types of a model's state dict: what must match for a checkpoint to load.</summary>
    public static IReadOnlyList<TensorSignature> Signature(nn.Module model) =>
        model.state_dict().Select(p => new TensorSignature(p.Key, p.Value.shape, p.Value.dtype.ToString())).ToList();

    static (CheckpointInfo Info, byte[] Payload) ReadVerified(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"There is no checkpoint at '{Path.GetFullPath(path)}'.", path);
        byte[] bytes = File.ReadAllBytes(path);
        int magicLength = Encoding.ASCII.GetByteCount(Magic);
        if (bytes.Length < magicLength || Encoding.ASCII.GetString(bytes, 0, magicLength) != Magic)
            throw Corrupt(path, "it does not start like a LargeModel.Course checkpoint (wrong file, or not written by Checkpoint.Save)");
        if (bytes.Length < magicLength + 4)
            throw Corrupt(path, "it is truncated: it ends before its header");
        int headerLength = BitConverter.ToInt32(bytes, magicLength);
        int payloadStart = magicLength + 4 + headerLength;
        if (headerLength <= 0 || payloadStart > bytes.Length)
            throw Corrupt(path, $"it is truncated or damaged: its header should be {headerLength} bytes, but the file has {bytes.Length} bytes in all");

        CheckpointInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<CheckpointInfo>(bytes.AsSpan(magicLength + 4, headerLength), Json);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"its header is not valid ({e.Message})");
        }
        if (info is null || info.Model is null || info.History is null)
            throw Corrupt(path, "its header is empty");
        if (info.Format is < 1 or > FormatVersion)
            throw Corrupt(path, $"it is format {info.Format}; this version of the course reads formats 1 to {FormatVersion}");

        long expected = info.ModelBytes + info.OptimizerBytes + info.RandomBytes, found = bytes.Length - payloadStart;
        if (found != expected)
            throw Corrupt(path, $"it is {(found < expected ? "truncated" : "longer than it should be")}: the header announces {expected} bytes of weights, optimiser and generator state, the file holds {found}");
        byte[] payload = bytes[payloadStart..];
        if (Hash(payload) != info.Sha256)
            throw Corrupt(path, "its contents do not match the checksum saved with them (the file was damaged after it was written)");
        return (info, payload);
    }

    static InvalidDataException Corrupt(string path, string why) =>
        new($"Cannot load the checkpoint '{path}': {why}. Use another checkpoint, or train again to make a new one.");

    static List<string> Compare(IReadOnlyList<TensorSignature> saved, IReadOnlyList<TensorSignature> current)
    {
        var differences = new List<string>();
        var now = current.ToDictionary(s => s.Name);
        foreach (var s in saved)
        {
            if (!now.Remove(s.Name, out var c))
                differences.Add($"{s.Name} is in the checkpoint but not in the model");
            else if (!s.Shape.SequenceEqual(c.Shape))
                differences.Add($"{s.Name} is [{string.Join(", ", s.Shape)}] in the checkpoint but [{string.Join(", ", c.Shape)}] in the model");
            else if (s.DType != c.DType)
                differences.Add($"{s.Name} is {s.DType} in the checkpoint but {c.DType} in the model");
        }
        differences.AddRange(now.Keys.Select(name => $"{name} is in the model but not in the checkpoint"));
        return differences;
    }

    static byte[] Serialize(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            write(writer);
        return stream.ToArray();
    }

    static string Hash(params byte[][] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts) sha.AppendData(part);
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
