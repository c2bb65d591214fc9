using LargeModel.Course.Data;
using LargeModel.Course.Tokenizers;

namespace LargeModel.Course.Tests.Data;

public class TokenizerTests
{
    [Fact]
    public void The_character_tokenizer_round_trips_the_default_corpus()
    {
        var corpus = Corpora.Default();
        var tokenizer = corpus.CharTokenizer();
        var ids = tokenizer.Encode(corpus.Validation);
        Assert.Equal(corpus.Validation.Length, ids.Length);
        Assert.Equal(corpus.Validation, tokenizer.Decode(ids));
        Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
        Assert.Equal(tokenizer.Vocabulary.Order(StringComparer.Ordinal), tokenizer.Vocabulary); // ids follow code points
    }

    [Fact]
    public void A_character_is_a_unicode_scalar_so_rare_chinese_characters_stay_whole()
    {
        string poem = "白日依山盡，黃河入海流。\n𠀀字"; // U+20000 is two UTF-16 chars in .NET
        var tokenizer = CharTokenizer.FromText(poem);
        var ids = tokenizer.Encode(poem);
        Assert.Equal(poem.EnumerateRunes().Count(), ids.Length);
        Assert.Contains("𠀀", tokenizer.Vocabulary);
        Assert.Equal(poem, tokenizer.Decode(ids));
    }

    [Fact]
    public void An_unknown_character_is_a_clear_error()
    {
        var tokenizer = CharTokenizer.FromText("abc");
        var error = Assert.Throws<ArgumentException>(() => tokenizer.Encode("abd"));
        Assert.Contains("'d' (U+0064) at position 2", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([3]));
    }

    [Fact]
    public void A_saved_vocabulary_loads_back_with_the_same_ids()
    {
        string folder = Requires.TemporaryFolder("vocab");
        try
        {
            var tokenizer = CharTokenizer.FromText("秦川雄帝宅 hello, world");
            string path = Path.Combine(folder, "model", "vocab.json");
            tokenizer.Save(path);
            Assert.Contains("秦", File.ReadAllText(path)); // readable, not \u escapes
            var loaded = CharTokenizer.Load(path);
            Assert.Equal(tokenizer.Vocabulary, loaded.Vocabulary);
            Assert.Equal(tokenizer.Encode("hello 秦川"), loaded.Encode("hello 秦川"));
            File.WriteAllText(path, "{\"kind\": \"bpe\"}");
            Assert.Throws<InvalidDataException>(() => CharTokenizer.Load(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_gpt2_tokenizer_gives_gpt2s_ids_and_round_trips()
    {
        ITokenizer gpt2 = new Gpt2Tokenizer();
        Assert.Equal(50257, gpt2.VocabSize);
        Assert.Equal([15496, 995], gpt2.Encode("Hello world")); // GPT-2's published ids
        string text = "Once upon a time, there was a little fox named Pip. 白日依山盡 🦊";
        Assert.Equal(text, gpt2.Decode(gpt2.Encode(text)));
        Assert.True(gpt2.Encode(text).Length < text.Length);
    }

    [Fact]
    public void Both_tokenizers_decode_a_tensor_of_ids_through_the_interface()
    {
        ITokenizer[] tokenizers = [CharTokenizer.FromText("hello world"), new Gpt2Tokenizer()];
        foreach (var tokenizer in tokenizers)
        {
            using var ids = tensor(tokenizer.Encode("hello world").Select(i => (long)i).ToArray());
            Assert.Equal("hello world", tokenizer.Decode(ids));
            using var matrix = ids.unsqueeze(0);
            Assert.Throws<ArgumentException>(() => tokenizer.Decode(matrix));
        }
    }
}
