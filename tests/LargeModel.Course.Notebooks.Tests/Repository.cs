using LargeModel.Course.TestSupport;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>Paths in the repository, and the <c>course</c> CLI as a learner runs it.</summary>
static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Notebooks => Path.Combine(Root, "notebooks");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LargeModel.Course.sln"))) return dir.FullName;
        throw new InvalidOperationException("The tests must run inside the repository (LargeModel.Course.sln not found).");
    }

    /// <summary>Runs <c>course ARGS</c> (the CLI built beside the tests) and returns its exit code and output.</summary>
    public static (int Code, string Output, string Error) Course(params string[] arguments) => CourseCli.Run(arguments);
}

/// <summary>A temporary folder with notebooks written by a test.</summary>
sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("course-test-").FullName;

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Builds small notebooks for tests, in the course's Polyglot-compatible format.</summary>
static class TestNotebook
{
    public static string Of(params (string Type, string Source, string[] Tags)[] cells)
    {
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["cells"] = new System.Text.Json.Nodes.JsonArray(cells.Select(c => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["cell_type"] = c.Type,
                ["metadata"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["tags"] = new System.Text.Json.Nodes.JsonArray(c.Tags.Select(t => (System.Text.Json.Nodes.JsonNode)t!).ToArray()),
                },
                ["source"] = c.Source,
                ["outputs"] = c.Type == "code" ? new System.Text.Json.Nodes.JsonArray() : null,
                ["execution_count"] = null,
            }).ToArray()),
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["kernelspec"] = new System.Text.Json.Nodes.JsonObject { ["name"] = ".net-csharp", ["language"] = "C#", ["display_name"] = ".NET (C#)" },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        foreach (var cell in json["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => c["cell_type"]!.GetValue<string>() != "code"))
        {
            cell.Remove("outputs");
            cell.Remove("execution_count");
        }
        return json.ToJsonString();
    }

    public static (string, string, string[]) Code(string source, params string[] tags) => ("code", source, tags);

    public static (string, string, string[]) Markdown(string source) => ("markdown", source, []);
}

/// <summary>Points COURSE_CACHE at an empty folder for the length of a test, so tests never touch the user's cache.</summary>
sealed class TemporaryCourseCache : IDisposable
{
    readonly string? previous = Environment.GetEnvironmentVariable(CourseCache.Variable);

    public TemporaryCourseCache() => Environment.SetEnvironmentVariable(CourseCache.Variable, Path);

    public string Path { get; } = Directory.CreateTempSubdirectory("course-cache-").FullName;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(CourseCache.Variable, previous);
        Directory.Delete(Path, recursive: true);
    }
}
