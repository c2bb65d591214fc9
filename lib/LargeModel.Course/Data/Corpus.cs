using System.Text;
using LargeModel.Course.Tokenizers;

namespace LargeModel.Course.Data;

/// <summary>A text corpus, already split into the part a model trains on and the part it is judged on.</summary>
public sealed class Corpus(string name, string train, string validation, string source)
{
    string? text;

    /// <summary>The corpus name (<c>stories</c>, <c>brown</c>, ...) or the file it was read from.</summary>
    public string Name { get; } = name;

    public string Train { get; } = train;

    public string Validation { get; } = validation;

    /// <summary>Where the text came from: a package and version, a generator and seed, or a file.</summary>
    public string Source { get; } = source;

    /// <summary>All of it: what a character vocabulary is built from.</summary>
    public string Text => text ??= Train + Validation;

    /// <summary>Length in characters (Unicode scalars, so a Chinese character counts once).</summary>
    public long Characters => CountRunes(Train) + CountRunes(Validation);

    /// <summary>A character tokenizer for this corpus, its vocabulary built from all of its text.</summary>
    public CharTokenizer CharTokenizer() => Tokenizers.CharTokenizer.FromText(Text);

    public override string ToString() =>
        $"{Name}: {CountRunes(Train):N0} training and {CountRunes(Validation):N0} validation characters ({Source})";

    static long CountRunes(string s)
    {
        long count = 0;
        foreach (var _ in s.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>Reads a UTF-8 file; invalid UTF-8 is an error that names the file, not a stream of replacement characters.</summary>
    internal static string ReadUtf8(string path)
    {
        try
        {
            return File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"{path} is not UTF-8 text. Save it as UTF-8 (most editors offer this under Save As / Encoding) and try again.");
        }
    }
}
