using System.Diagnostics;
using LargeModel.Course.Data;

namespace LargeModel.Course.Tests.Data;

/// <summary>Fetches each real package once for the whole class, into a cache of its own.</summary>
public sealed class FetchedCorpora : IDisposable
{
    public FetchedCorpora()
    {
        Root = Requires.TemporaryFolder("corpora");
        Store = new CorpusStore(Path.Combine(Root, "corpora")); // where `course` looks with COURSE_CACHE=Root
        if (!Requires.NpmAvailable && Environment.GetEnvironmentVariable("CI") != "true") return; // the tests are skipped
        var clock = Stopwatch.StartNew();
        Brown = Corpora.Load(BrownCorpus.Name, Store);
        BrownSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        Tang = Corpora.Load(ChinesePoetry.TangPoems, Store);
        PoetrySeconds = clock.Elapsed.TotalSeconds;
        SongCi = Corpora.Load(ChinesePoetry.SongCi, Store);
    }

    /// <summary>The COURSE_CACHE of these tests; the corpora are in its <c>corpora</c> folder, as in the real cache.</summary>
    public string Root { get; }
    public CorpusStore Store { get; }
    public Corpus? Brown { get; }
    public Corpus? Tang { get; }
    public Corpus? SongCi { get; }
    public double BrownSeconds { get; }
    public double PoetrySeconds { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public class FetchTests(FetchedCorpora fetched) : IClassFixture<FetchedCorpora>
{
    [NpmFact]
    public void Brown_is_fetched_verified_normalised_and_split_by_document()
    {
        var brown = fetched.Brown!;
        var stats = Corpora.CachedStats(BrownCorpus.Name, fetched.Store)!;
        Assert.InRange(stats.Characters, 5_000_000, 7_000_000); // about a million words
        Assert.InRange(stats.VocabularySize, 60, 120);
        Assert.Equal(stats.Characters, brown.Characters);
        Assert.InRange(stats.ValidationCharacters / (double)stats.Characters, 0.04, 0.2);
        Assert.StartsWith("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced \"no evidence\"", brown.Train);
        Assert.DoesNotContain("/nn", brown.Text); // tags are not in the plain text
        Assert.True(File.Exists(Path.Combine(fetched.Store.EntryFolder(BrownCorpus.Package), CorpusStore.Marker)));
    }

    [NpmFact]
    public void The_catalogue_records_the_figures_a_fetch_produces()
    {
        foreach (var corpus in Corpora.Catalogue.Where(c => !c.IsBuiltIn))
        {
            var stats = Corpora.CachedStats(corpus.Name, fetched.Store)!;
            Assert.Equal(corpus.Characters, stats.Characters);
            Assert.Equal(corpus.Vocabulary, stats.VocabularySize);
        }
    }

    [NpmFact]
    public void Brown_has_a_genre_view_and_a_part_of_speech_view()
    {
        var sentences = BrownCorpus.Sentences(fetched.Store);
        Assert.InRange(sentences.Count, 50_000, 60_000);
        Assert.Equal(BrownCorpus.Genres.Order(), sentences.Select(s => s.Genre).Distinct().Order());
        Assert.Equal(500, sentences.Select(s => s.Document).Distinct().Count());
        Assert.InRange(sentences.Sum(s => s.Words.Count), 1_100_000, 1_250_000);
        // Whole documents are held out, never single sentences of a document.
        Assert.All(sentences.GroupBy(s => s.Document), d => Assert.Single(d.Select(s => s.IsValidation).Distinct()));

        var (text, genre) = BrownCorpus.GenreExamples(sentences).First();
        Assert.Equal("news", genre);
        Assert.StartsWith("The Fulton County Grand Jury", text);
        var words = BrownCorpus.TaggedExamples(sentences).First();
        Assert.Equal(new TaggedWord("Fulton", "np-tl"), words[1]);
        Assert.Equal("np", BrownCorpus.BaseTag(words[1].Tag));
        Assert.NotEmpty(BrownCorpus.GenreExamples(sentences, validation: true));
    }

    [NpmFact]
    public void Tang_poems_and_song_ci_come_from_one_fetch_of_chinese_poetry()
    {
        var tang = fetched.Tang!;
        var songCi = fetched.SongCi!;
        var tangStats = Corpora.CachedStats(ChinesePoetry.TangPoems, fetched.Store)!;
        var songStats = Corpora.CachedStats(ChinesePoetry.SongCi, fetched.Store)!;
        Assert.InRange(tangStats.Characters, 3_000_000, 5_000_000);
        Assert.InRange(tangStats.VocabularySize, 6_000, 15_000);
        Assert.InRange(songStats.Characters, 1_500_000, 2_500_000);
        Assert.Equal(tangStats.Characters, tang.Characters);

        var poems = ChinesePoetry.PoemsOf(tang.Text).ToList();
        Assert.InRange(poems.Count, 55_000, 58_000);
        Assert.StartsWith("秦川雄帝宅，函谷壯皇居。", poems[0]);
        Assert.InRange(poems.Count(ChinesePoetry.IsFiveCharacterQuatrain), 1_000, 20_000);
        Assert.InRange(ChinesePoetry.PoemsOf(songCi.Text).Count(), 20_000, 21_100);
        // The split is by each poem's own text: every validation poem hashes to validation.
        Assert.All(ChinesePoetry.PoemsOf(tang.Validation), p => Assert.True(TrainValidationSplit.IsValidation(p)));
        // One cache entry for the package, holding both corpora.
        var entry = fetched.Store.Entry(ChinesePoetry.Package)!;
        Assert.Equal([ChinesePoetry.SongCi, ChinesePoetry.TangPoems], entry.Corpora.Keys.Order());
        Assert.True(File.Exists(Path.Combine(fetched.Store.EntryFolder(ChinesePoetry.Package), ChinesePoetry.SongCi, "validation.txt")));
    }

    [NpmFact]
    public void A_cached_corpus_loads_without_npm()
    {
        var offline = new CorpusStore(fetched.Store.Root, npm: Requires.MissingNpm);
        var brown = Corpora.Load(BrownCorpus.Name, offline);
        Assert.Equal(fetched.Brown!.Train, brown.Train);
    }

    [NpmFact]
    public void Course_data_list_and_info_show_what_is_cached_and_where()
    {
        var (code, output, _) = DataCli.Run(fetched.Root, null, "data", "list");
        Assert.Equal(0, code);
        Assert.Matches(@"brown\s+cached\s+[\d,]{9}\s+\d+", output);
        Assert.Matches(@"stories\s+built in\s+[\d,]{7}", output);

        (code, output, _) = DataCli.Run(fetched.Root, null, "data", "path", "tang-poems");
        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(output.Trim(), "train.txt")));

        (code, output, _) = DataCli.Run(fetched.Root, null, "data", "info", "song-ci");
        Assert.Equal(0, code);
        Assert.Contains("chinese-poetry@2.0.1", output);
        Assert.Contains("distinct characters", output);
    }
}
