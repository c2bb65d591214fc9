using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Grading;

/// <summary>The course's own lessons: the official copy that student editions and grading start from.</summary>
public static class CourseNotebooks
{
    /// <summary>
    /// The lessons folder: <paramref name="folder"/> when given, else the <c>notebooks/</c> of the clone this
    /// program was built from (found by walking up to <c>LargeModel.Course.sln</c>).
    /// </summary>
    public static string Folder(string? folder = null)
    {
        if (folder is not null)
        {
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder} does not exist: give the folder of the course's lessons (the repository's notebooks/).");
            return Path.GetFullPath(folder);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LargeModel.Course.sln")) && Directory.Exists(Path.Combine(dir.FullName, "notebooks")))
                return Path.Combine(dir.FullName, "notebooks");
        throw new DirectoryNotFoundException("The course's notebooks/ folder was not found next to this program: pass --course DIR (the repository's notebooks/ folder).");
    }

    /// <summary>Every lesson in the folder, by file name.</summary>
    public static IReadOnlyList<Notebook> Load(string folder) =>
        Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).Select(Notebook.Load).ToList();

    /// <summary>A learner's edition: the lesson without its reference solutions and without outputs.</summary>
    public static Notebook StudentEdition(Notebook lesson)
    {
        var copy = lesson.Clone();
        copy.Cells.RemoveAll(c => c.Tags.Contains(Tags.Solution));
        copy.ClearOutputs();
        return copy;
    }
}

/// <summary>The cell tags the course's exercises use (see the README's "Writing exercises").</summary>
public static class Tags
{
    public const string Exercise = "exercise", Solution = "solution", Check = "check", Verdicts = "verdicts";
}
