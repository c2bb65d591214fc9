using System.Text;
using System.Text.RegularExpressions;
using LargeModel.Course.Data;

namespace LargeModel.Course.Tests.Data;

public class StoriesTests
{
    static readonly Corpus stories = Corpora.Default();

    [Fact]
    public void The_default_corpus_is_large_small_in_vocabulary_and_needs_no_download()
    {
        Assert.InRange(stories.Characters, 500_000, 800_000);
        Assert.InRange(stories.CharTokenizer().VocabSize, 30, 70);
        Assert.InRange(stories.Validation.Length / (double)stories.Characters, 0.06, 0.14);
        Assert.All(stories.Text, c => Assert.True(c < 128, $"non-ASCII character U+{(int)c:X4}"));
    }

    [Fact]
    public void The_same_seed_gives_the_same_stories_and_another_seed_different_ones()
    {
        var again = Stories.Corpus(seed: 0);
        Assert.Equal(stories.Train, again.Train);
        Assert.Equal(stories.Validation, again.Validation);
        Assert.NotEqual(stories.Train, Stories.Corpus(seed: 1).Train);
        Assert.Equal(Stories.Generate(7, 50), Stories.Generate(7, 50));
    }

    [Fact]
    public void The_split_keeps_each_story_whole_on_one_side()
    {
        var validation = stories.Validation.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var train = stories.Train.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.NotEmpty(validation);
        Assert.Empty(validation.Intersect(train));
        Assert.All(validation, s => Assert.True(TrainValidationSplit.IsValidation(s)));
    }

    [Fact]
    public void Articles_pronouns_and_sentences_agree()
    {
        string text = stories.Text;
        Assert.DoesNotMatch(@"\ba [aeiou]", text);
        Assert.DoesNotMatch(@"\ban [^aeiou]", text);
        Assert.DoesNotMatch(@"[.!?]""? [a-z]", text); // every sentence starts with a capital
        string[] girls = ["Mia", "Lily", "Ana", "Nora", "Ella", "Rosa", "Zoe", "Ivy", "Maya", "Luna"];
        foreach (var story in Stories.Generate(3, 300))
        {
            // The hero is named in the first sentence; every pronoun in the story refers to the hero.
            var named = Regex.Match(story, @"(?:named|called) (\w+)|^(\w+) was");
            string hero = named.Groups[1].Success ? named.Groups[1].Value : named.Groups[2].Value;
            string[] wrong = girls.Contains(hero) ? [" he ", "He ", " his ", "His ", " him "] : [" she ", "She ", " her ", "Her "];
            Assert.All(wrong, w => Assert.DoesNotContain(w, story));
        }
    }

    [Fact]
    public void A_learners_own_file_loads_with_the_last_tenth_held_out_at_a_line_break()
    {
        string folder = Requires.TemporaryFolder("own-file");
        try
        {
            string path = Path.Combine(folder, "input.txt");
            var text = string.Join("", Enumerable.Range(0, 200).Select(i => $"Line {i}: To be, or not to be 𝄞.\n"));
            File.WriteAllText(path, text, new UTF8Encoding(false));
            var corpus = Corpora.Load(path);
            Assert.Equal(text, corpus.Train + corpus.Validation);
            Assert.EndsWith("\n", corpus.Train);
            Assert.StartsWith("Line 18", corpus.Validation);
            Assert.Equal("input.txt", corpus.Name);

            File.WriteAllBytes(path, [0x48, 0x69, 0xC3, 0x28]);
            var error = Assert.Throws<InvalidDataException>(() => Corpora.FromFile(path));
            Assert.Contains("is not UTF-8 text", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
