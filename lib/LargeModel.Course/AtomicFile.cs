using System.Text;

namespace LargeModel.Course;

/// <summary>
/// Writes a file so that a reader, or the next run after a crash, sees either the old file or the whole new one,
/// never half of it: the content goes to a temporary file beside the target, reaches the disk, and is then renamed
/// over the target in one step. Notebooks, checkpoints, caches and pages all save this way.
/// </summary>
public static class AtomicFile
{
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the whole content.</param>
    /// <param name="unixMode">
    /// On Unix, the permissions the file has from the moment it exists (e.g. owner-only for a secret), instead of the
    /// usual ones: setting them after writing would leave a moment in which others may open it.
    /// </param>
    public static void Write(string path, Action<Stream> write, UnixFileMode? unixMode = null)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (unixMode is { } mode && !OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes, UnixFileMode? unixMode = null) => Write(path, stream => stream.Write(bytes), unixMode);

    /// <summary>UTF-8 without a byte-order mark, as notebooks, JSON and HTML expect.</summary>
    public static void WriteAllText(string path, string text, UnixFileMode? unixMode = null) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text), unixMode);
}
