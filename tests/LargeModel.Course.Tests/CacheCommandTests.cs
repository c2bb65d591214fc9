using LargeModel.Course.TestSupport;

namespace LargeModel.Course.Tests;

/// <summary><c>course cache</c>: the folders, their sizes, and cleaning only what was named.</summary>
public sealed class CacheCommandTests : IDisposable
{
    readonly string cache = Directory.CreateTempSubdirectory("course-cache-test-").FullName;

    public void Dispose() => Directory.Delete(cache, recursive: true);

    (int Code, string Output, string Error) Course(params string[] arguments) =>
        CourseCli.Run(new Dictionary<string, string?> { [CourseCache.Variable] = cache }, arguments);

    string Put(string relative, int bytes)
    {
        string path = Path.Combine(cache, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    [Fact]
    public void List_shows_each_folder_with_its_size_and_clean_deletes_only_the_named_ones()
    {
        Put("checkpoints/09-gpt.ckpt", 3 * 1048576);
        string corpus = Put("corpora/brown/train.txt", 1000);

        var (code, output, _) = Course("cache", "list");
        Assert.Equal(0, code);
        Assert.Contains(cache, output);
        Assert.Matches(@"checkpoints\s+3\.0 MB\s+1 files", output);
        Assert.Matches(@"corpora\s+0\.0 MB\s+1 files", output);

        (code, output, _) = Course("cache", "clean", "checkpoints");
        Assert.Equal(0, code);
        Assert.Contains("checkpoints: deleted 1 files, 3.0 MB; the lessons train again", output);
        Assert.False(Directory.Exists(Path.Combine(cache, "checkpoints")));
        Assert.True(File.Exists(corpus));
    }

    [Fact]
    public void A_wrong_or_missing_folder_name_deletes_nothing_and_says_which_names_exist()
    {
        string checkpoint = Put("checkpoints/a.ckpt", 10);

        var (code, _, error) = Course("cache", "clean", "checkpoints", "everything");
        Assert.Equal(2, code);
        Assert.Contains("Not a cache folder: everything", error);
        Assert.Contains("checkpoints, corpora, nuget, native", error);

        (code, _, error) = Course("cache", "clean");
        Assert.Equal(2, code);
        Assert.Contains("--all", error);
        Assert.True(File.Exists(checkpoint));
    }
}
