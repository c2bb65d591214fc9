namespace LargeModel.Course.Notebooks.Running;

/// <summary>What <c>course run</c> was asked to do for each notebook.</summary>
public sealed record RunRequest
{
    public required string OutputFolder { get; init; }
    public RunOptions Options { get; init; } = new();
    public bool Html { get; init; }

    /// <summary>A notebook still running after this long is stopped and reported (grading); null means no limit.</summary>
    public TimeSpan? NotebookTimeout { get; init; }

    /// <summary>Write the executed notebook over the source (atomically) instead of into the output folder.</summary>
    public bool InPlace { get; init; }

    /// <summary>Where the executed copy of <paramref name="notebook"/> goes.</summary>
    public string ExecutedPath(string notebook) =>
        InPlace ? Path.GetFullPath(notebook) : Path.Combine(Path.GetFullPath(OutputFolder), Path.GetFileName(notebook));

    public string HtmlPath(string notebook) =>
        Path.Combine(Path.GetFullPath(OutputFolder), Path.ChangeExtension(Path.GetFileName(notebook), ".html"));

    /// <summary>Notebooks named by the arguments: files as given, folders as their *.ipynb in name order.</summary>
    public static IReadOnlyList<string> FindNotebooks(IEnumerable<string> paths)
    {
        var found = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                found.AddRange(Directory.GetFiles(path, "*.ipynb").Where(f => !f.EndsWith(".executed.ipynb", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            else if (File.Exists(path))
                found.Add(path);
            else
                throw new FileNotFoundException($"{path} does not exist. Give a notebook (.ipynb) or a folder of notebooks, e.g. `course run notebooks`.");
        }
        return found.Select(Path.GetFullPath).Distinct().ToList();
    }
}
