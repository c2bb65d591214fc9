using System.Text;
using LargeModel.Course.Data;
using LargeModel.Course.Tokenizers;
using SharpToken;

namespace LargeModel.Course.Tests.Data;

public class BytePairEncodingTests
{
    [Fact]
    public void Training_on_a_small_text_makes_the_merges_worked_out_by_hand()
    {
        // aaabdaaabac: "aa" occurs 4 times (overlapping in "aaa"); merged left to right it becomes Z a b d Z a b a c.
        // Then "ab" and "Za" both occur twice: the tie goes to the smaller ids, (a, b). Then Z·(ab) twice; then no pair
        // occurs twice, so training stops after 3 merges although 10 were asked for.
        var bpe = BytePairEncoding.Train("aaabdaaabac", 10, PreTokenizer.LinesPattern);
        Assert.Equal([new Merge('a', 'a', 256), new Merge('a', 'b', 257), new Merge(256, 257, 258)], bpe.Merges);
        Assert.Equal([4L, 2, 2], bpe.TrainingLog!.Steps.Select(s => s.Count));
        Assert.Equal([9L, 7, 5], bpe.TrainingLog.Steps.Select(s => s.TokensAfter));
        Assert.Equal(11, bpe.TrainingLog.InitialTokens);
        Assert.Equal([258, 'd', 258, 'a', 'c'], bpe.Encode("aaabdaaabac"));
        Assert.Equal(259, bpe.VocabSize);
        Assert.Equal("aaab", bpe.TokenText(258));
    }

    [Fact]
    public void With_the_gpt2_split_no_merge_crosses_a_word_boundary()
    {
        var text = string.Join(" ", Enumerable.Repeat("the cat sat on the mat and the hat", 50));
        var split = BytePairEncoding.Train(text, 40);
        Assert.All(split.Merges, m => Assert.DoesNotContain(' ', split.TokenText(m.Id).TrimStart(' ')));
        var lines = BytePairEncoding.Train(text, 40, PreTokenizer.LinesPattern);
        Assert.Contains(lines.Merges, m => lines.TokenText(m.Id).Trim().Contains(' '));   // without the split, merges glue words
    }

    [Fact]
    public void Incremental_training_makes_the_same_merges_as_recounting_every_pair_after_each_merge()
    {
        var text = Corpora.Default().Validation[..20_000];
        var fast = BytePairEncoding.Train(text, 120);
        Assert.Equal(NaiveMerges(text, 120), fast.Merges);
        Assert.Equal(fast.TrainingLog!.Steps[^1].TokensAfter, fast.Encode(text).Length);   // the log counts what encoding gives
    }

    [Fact]
    public void A_piece_that_is_a_whole_token_merges_into_that_token_so_the_shortcut_changes_nothing()
    {
        var trained = BytePairEncoding.Train(Corpora.Default().Validation[..50_000], 400);
        foreach (var bpe in new[] { trained, BytePairEncoding.Gpt2() })
            foreach (var merge in bpe.Merges.Where((_, i) => bpe == trained || i % 7 == 0))
            {
                string text = bpe.TokenText(merge.Id);
                if (!text.Contains('\uFFFD')) Assert.Equal(bpe.MergeOnly(text), bpe.EncodePiece(text));
            }
    }

    /// <summary>The textbook algorithm: recount all pairs of all pieces from scratch before each merge.</summary>
    static List<Merge> NaiveMerges(string text, int count)
    {
        var pieces = PreTokenizer.Split(text).Select(p => Encoding.UTF8.GetBytes(p).Select(b => (int)b).ToList()).ToList();
        var merges = new List<Merge>();
        for (int step = 0; step < count; step++)
        {
            var pairs = new Dictionary<(int, int), int>();
            foreach (var p in pieces)
                for (int i = 0; i + 1 < p.Count; i++) pairs[(p[i], p[i + 1])] = pairs.GetValueOrDefault((p[i], p[i + 1])) + 1;
            var best = pairs.Where(kv => kv.Value >= 2).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Item1).ThenBy(kv => kv.Key.Item2).Select(kv => kv.Key).ToList();
            if (best.Count == 0) break;
            var (left, right) = best[0];
            int id = 256 + step;
            foreach (var p in pieces)
                for (int i = 0; i + 1 < p.Count; i++)
                    if (p[i] == left && p[i + 1] == right)
                    {
                        p[i] = id;
                        p.RemoveAt(i + 1);
                    }
            merges.Add(new Merge(left, right, id));
        }
        return merges;
    }

    [Fact]
    public void Decoding_an_encoding_gives_the_text_back_for_random_unicode()
    {
        var trained = BytePairEncoding.Train(Corpora.Default().Validation[..50_000] + "白日依山盡，黃河入海流。🙂🙂", 300);
        var gpt2 = BytePairEncoding.Gpt2();
        var random = new Random(11);
        for (int n = 0; n < 500; n++)
        {
            string s = RandomText(random, random.Next(0, 60));
            Assert.Equal(s, trained.Decode(trained.Encode(s)));
            Assert.Equal(s, gpt2.Decode(gpt2.Encode(s)));
        }
        foreach (var s in new[] { "", " ", "   \n\n\t x", "2024-11-30 12345678", "𠀀字 🙂👍🏽 naïve café", "\r\n\r\n" })
            Assert.Equal(s, trained.Decode(trained.Encode(s)));
    }

    [Theory]
    [InlineData("r50k_base", 50257)]
    [InlineData("cl100k_base", 100277)]
    [InlineData("o200k_base", 200019)]
    public void Loaded_with_openai_ranks_it_gives_sharptokens_ids_on_a_thousand_strings(string encoding, int vocabSize)
    {
        var ours = BytePairEncoding.FromSharpToken(encoding);
        var theirs = GptEncoding.GetEncoding(encoding);
        Assert.Equal(vocabSize, ours.VocabSize);
        var corpus = Corpora.Default();
        var strings = corpus.Validation.Split('.').Where(l => l.Length > 0).Take(400).ToList();   // sentences, with their spaces and line breaks
        var random = new Random(5);
        for (int n = 0; n < 600; n++) strings.Add(RandomText(random, random.Next(1, 80)));
        strings.AddRange(["  leading spaces", "tabs\t\tand\n\n\nnewlines  ", "1234567890 3.14159 1,000,000", "I'm, you're, THEY'LL, it's",
            "strawberry Strawberry STRAWBERRY", "白日依山盡，黃河入海流。", "emoji 🙂👍🏽🇫🇷", "<|endoftext", "e\u0301 combining", "x" + new string(' ', 40) + "y"]);
        Assert.True(strings.Count >= 1000, $"only {strings.Count} strings");
        foreach (var s in strings)
            Assert.True(theirs.Encode(s).SequenceEqual(ours.Encode(s)), $"{encoding} differs on \"{s}\"");
        Assert.Equal(theirs.Encode(corpus.Validation), ours.Encode(corpus.Validation));
    }

    [Fact]
    public void Gpt2s_end_of_text_decodes_to_its_text_and_ordinary_text_never_becomes_it()
    {
        var gpt2 = BytePairEncoding.Gpt2();
        Assert.Equal("<|endoftext|>", gpt2.Decode([50256]));
        Assert.DoesNotContain(50256, gpt2.Encode("a <|endoftext|> b"));
        Assert.Equal(new Gpt2Tokenizer().EndOfText, gpt2.SpecialTokens["<|endoftext|>"]);
    }

    [Fact]
    public void A_token_sequence_cut_inside_a_character_decodes_the_cut_bytes_as_replacement_characters()
    {
        var bpe = BytePairEncoding.Train("abc", 0);                     // bytes only: 中 is three tokens
        var ids = bpe.Encode("中a");
        Assert.Equal([0xE4, 0xB8, 0xAD, 'a'], ids);
        Assert.Equal("\uFFFD", bpe.Decode(ids[..2]));
        Assert.Equal([0xE4, 0xB8], bpe.DecodeBytes(ids[..2]));
        Assert.Equal("\uFFFD\uFFFDa", bpe.Decode(ids[1..]));    // two continuation bytes without their lead: each is invalid
        Assert.Equal("中a", bpe.Decode(ids));
    }

    [Fact]
    public void A_saved_tokenizer_loads_with_the_same_merges_and_bad_files_are_clear_errors()
    {
        var folder = Directory.CreateTempSubdirectory("bpe-");
        try
        {
            var bpe = BytePairEncoding.Train(Corpora.Default().Validation[..30_000], 100);
            string path = Path.Combine(folder.FullName, "bpe.json");
            bpe.Save(path);
            var loaded = BytePairEncoding.Load(path);
            Assert.Equal(bpe.Merges, loaded.Merges);
            Assert.Equal(bpe.Pattern, loaded.Pattern);
            Assert.Equal(bpe.VocabSize, loaded.VocabSize);
            string sample = "Once upon a time, 中文 🙂";
            Assert.Equal(bpe.Encode(sample), loaded.Encode(sample));

            string gpt2Path = Path.Combine(folder.FullName, "gpt2.json");
            BytePairEncoding.Gpt2().Save(gpt2Path);
            Assert.Equal(BytePairEncoding.Gpt2().Encode(sample), BytePairEncoding.Load(gpt2Path).Encode(sample));
            Assert.Equal("<|endoftext|>", BytePairEncoding.Load(gpt2Path).Decode([50256]));

            File.WriteAllText(path, "{\"kind\": \"char\"}");
            Assert.Throws<InvalidDataException>(() => BytePairEncoding.Load(path));
            File.WriteAllText(path, "{\"kind\": \"bpe\", \"pattern\": \"x\", \"bytes\": [0], \"merges\": []}");
            Assert.Throws<InvalidDataException>(() => BytePairEncoding.Load(path));
            Assert.Throws<FileNotFoundException>(() => BytePairEncoding.Load(Path.Combine(folder.FullName, "missing.json")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Language_model_batches_take_bpe_tokens_unchanged()
    {
        var corpus = Corpora.Default();
        ITokenizer bpe = BytePairEncoding.Train(corpus.Train[..50_000], 200);
        var ids = bpe.Encode(corpus.Validation[..5_000]);
        using var batches = new LanguageModelBatches(ids, 16, 4, seed: 1);
        using var batch = batches.Sample();
        Assert.Equal([4L, 16], batch.X.shape);
        Assert.True(batch.X.max().item<long>() < bpe.VocabSize);
        Assert.True(ids.Length < 5_000 / 2);   // 200 merges already halve the length of stories
    }

    /// <summary>Random text from many scripts: ASCII, accents, Greek, CJK, emoji (outside the BMP), digits and whitespace.</summary>
    static string RandomText(Random random, int length)
    {
        var text = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            int kind = random.Next(8);
            int scalar = kind switch
            {
                0 or 1 => random.Next(0x20, 0x7F),
                2 => random.Next(0xA0, 0x250),
                3 => random.Next(0x370, 0x3FF),
                4 => random.Next(0x4E00, 0x9FFF),
                5 => random.Next(0x1F300, 0x1FAFF),
                6 => " \n\t\r"[random.Next(4)],
                _ => random.Next('0', '9' + 1),
            };
            if (Rune.IsValid(scalar)) text.Append(char.ConvertFromUtf32(scalar));
        }
        return text.ToString();
    }
}
