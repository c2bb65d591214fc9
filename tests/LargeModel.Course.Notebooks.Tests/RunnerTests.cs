using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Running;
using static LargeModel.Course.Notebooks.Tests.TestNotebook;

namespace LargeModel.Course.Notebooks.Tests;

[Collection(nameof(Cells))]
public class RunnerTests
{
    static Task<NotebookRun> Run(string json, RunOptions? options = null) =>
        new NotebookRunner(options ?? new RunOptions()).RunAsync(Notebook.Parse(json, "/tmp/test.ipynb"));

    static IEnumerable<JsonObject> Outputs(Cell cell) => cell.Outputs.Select(o => o!.AsObject());

    [Fact]
    public async Task A_failing_cell_is_located_written_into_the_copy_and_stops_the_run()
    {
        var source = Notebook.Parse(Of(
            Markdown("# A lesson"),
            Code("var a = 1;"),
            Code("Console.WriteLine(\"before\");\nint[] xs = new int[2];\nxs[5] = a;"),
            Code("Console.WriteLine(\"never\");")), "/tmp/lesson.ipynb");
        string before = source.ToJson();

        var run = await new NotebookRunner(new RunOptions()).RunAsync(source);

        Assert.False(run.Succeeded);
        Assert.Equal("lesson.ipynb, cell 3, line 3: IndexOutOfRangeException: Index was outside the bounds of the array.", run.Failure);
        var failed = run.Executed.Cells[2];
        Assert.Equal(["stream", "error"], Outputs(failed).Select(o => o["output_type"]!.GetValue<string>()));
        Assert.Equal("IndexOutOfRangeException", Outputs(failed).Last()["ename"]!.GetValue<string>());
        Assert.Empty(run.Executed.Cells[3].Outputs);
        Assert.Equal(2, run.Cells.Count);
        Assert.Equal(before, source.ToJson()); // the notebook that was read is untouched
    }

    [Fact]
    public async Task Executed_cells_carry_counts_timing_and_outputs()
    {
        var run = await Run(Of(Code("Console.Write(\"a\"); Console.Write(\"b\");\n1 + 1"), Code("display(\"shown\");")));
        Assert.True(run.Succeeded, run.Failure);
        var first = run.Executed.Cells[0];
        Assert.Equal(1, first.Json["execution_count"]!.GetValue<int>());
        Assert.NotNull(first.Metadata["execution"]!["iopub.execute_input"]);
        var outputs = Outputs(first).ToList();
        Assert.Equal("ab", outputs[0]["text"]!.GetValue<string>()); // two writes, one stream output
        Assert.Equal("2", outputs[1]["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal(1, outputs[1]["execution_count"]!.GetValue<int>());
        Assert.Equal("display_data", Outputs(run.Executed.Cells[1]).Single()["output_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_updated_display_is_saved_in_its_final_state()
    {
        var run = await Run(Of(Code("var h = display(\"epoch 1\");\nfor (int i = 2; i <= 3; i++) h.Update($\"epoch {i}\");")));
        var display = Outputs(run.Executed.Cells[0]).Single();
        Assert.Equal("epoch 3", display["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public async Task Parameters_are_injected_after_the_parameters_cell_with_their_types()
    {
        var run = await Run(
            Of(Code("double rate = 0.5;\nint steps = 100; // quick: 3", "parameters"), Code("$\"{rate.GetType().Name} {rate} {steps}\"")),
            new RunOptions { Quick = true, Parameters = new Dictionary<string, string> { ["rate"] = "1" } });
        Assert.True(run.Succeeded, run.Failure);
        Assert.Equal(3, run.Executed.Cells.Count);
        Assert.Contains("injected-parameters", run.Executed.Cells[1].Tags);
        Assert.Equal("Double 1 3", Outputs(run.Executed.Cells[2]).Single()["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public async Task Markdown_and_html_code_cells_render_and_other_languages_are_a_clear_error()
    {
        var run = await Run(Of(Code("#!markdown\n**bold**"), Code("#!html\n<i>x</i>"), Code("#!fsharp\nlet x = 1")));
        Assert.Equal("**bold**", Outputs(run.Executed.Cells[0]).Single()["data"]!["text/markdown"]!.GetValue<string>());
        Assert.Equal("<i>x</i>", Outputs(run.Executed.Cells[1]).Single()["data"]!["text/html"]!.GetValue<string>());
        Assert.Contains("cell 3: UnsupportedLanguage: Cell 3 is written in 'fsharp'", run.Failure);
    }

    [Fact]
    public async Task A_cell_past_its_timeout_is_interrupted_and_reported()
    {
        var run = await Run(
            Of(Code("int n = 0;\nwhile (true) { LargeModel.Course.Interrupt.ThrowIfRequested(); n++; }"), Code("n")),
            new RunOptions { CellTimeout = TimeSpan.FromSeconds(1) });
        Assert.Contains("CellTimeout: Cell 1 ran longer than 1 s and was stopped", run.Failure);
        Assert.Equal("CellTimeout", Outputs(run.Executed.Cells[0]).Last()["ename"]!.GetValue<string>());
    }

    /// <summary>The first compilation in a process takes seconds; timing tests start after it.</summary>
    static async Task WarmUpCompiler() => await new Session.CSharpSession().ExecuteAsync("1 + 1", new RecordingSink());

    [Fact]
    public async Task A_cell_that_stops_within_the_grace_period_gets_one_timeout_error_and_is_never_given_up_on()
    {
        await WarmUpCompiler();
        int givenUp = 0;
        // Timeout at 0.5 s, grace until 5.5 s; the cell ignores the interrupt for a second, then stops at about 1.5 s.
        var runner = new NotebookRunner(new RunOptions { CellTimeout = TimeSpan.FromSeconds(0.5), InterruptGrace = TimeSpan.FromSeconds(5) })
        {
            OnStuck = (_, _, _) => Interlocked.Increment(ref givenUp),
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await runner.RunAsync(Notebook.Parse(Of(
            Code("System.Threading.Thread.Sleep(1500);\nLargeModel.Course.Interrupt.ThrowIfRequested();"), Code("1")), "/tmp/grace.ipynb"));
        string saved = run.Executed.ToJson();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5.5), "the cell did not end within the grace period; the test says nothing");
        await Task.Delay(TimeSpan.FromSeconds(6.5) - clock.Elapsed); // well past the end of the grace period
        Assert.Equal(0, givenUp);
        Assert.Contains("CellTimeout: Cell 1 ran longer than 0.5 s and was stopped", run.Failure);
        var error = Assert.Single(Outputs(run.Executed.Cells[0]), o => o["output_type"]!.GetValue<string>() == "error");
        Assert.DoesNotContain("did not stop", error["evalue"]!.GetValue<string>());
        Assert.Equal(saved, run.Executed.ToJson()); // nothing was added to the copy after the run
    }

    [Fact]
    public async Task A_cell_that_ignores_the_interrupt_is_given_up_on_with_its_outputs_frozen_for_the_save()
    {
        await WarmUpCompiler();
        string done = $"COURSE_TEST_STUCK_{Guid.NewGuid():N}";
        int givenUp = 0;
        bool frozen = false;
        var runner = new NotebookRunner(new RunOptions { CellTimeout = TimeSpan.FromSeconds(2), InterruptGrace = TimeSpan.FromSeconds(0.5) })
        {
            OnStuck = (notebook, cell, message) =>
            {
                Interlocked.Increment(ref givenUp);
                // The host saves here while the cell keeps printing: what it saves must not change under it.
                string first = notebook.ToJson();
                Thread.Sleep(300);
                frozen = first == notebook.ToJson() && message.Contains("did not stop", StringComparison.Ordinal);
            },
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var run = await runner.RunAsync(Notebook.Parse(Of(
                Code("var until = DateTime.UtcNow.AddSeconds(6);\nwhile (DateTime.UtcNow < until) { Console.WriteLine(\"still here\"); Thread.Sleep(2); }\n" +
                     $"Environment.SetEnvironmentVariable(\"{done}\", \"1\");"),
                Code("1")), "/tmp/stuck.ipynb"));

            Assert.Equal(1, givenUp);
            Assert.True(frozen, "the executed copy changed while the host saved it, or the message does not say the cell did not stop");
            Assert.True(Environment.GetEnvironmentVariable(done) is null, "the run waited for the end of a cell it had given up on");
            Assert.Contains("CellTimeout", run.Failure);
            var outputs = Outputs(run.Executed.Cells[0]).ToList();
            Assert.StartsWith("still here\n", outputs[0]["text"]!.GetValue<string>());
            Assert.Equal("CellTimeout", Assert.Single(outputs, o => o["output_type"]!.GetValue<string>() == "error")["ename"]!.GetValue<string>());
            Assert.Single(run.Cells);
        }
        finally
        {
            // The abandoned cell prints to whatever cell runs next in this process: let it end first.
            while (Environment.GetEnvironmentVariable(done) is null && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
        }
    }

    [Fact]
    public async Task An_oversized_output_is_cut_with_a_note()
    {
        var run = await Run(Of(Code("for (int i = 0; i < 1000; i++) Console.WriteLine(new string('x', 100));")), new RunOptions { MaxOutputPerCell = 5_000 });
        Assert.True(run.Succeeded);
        var outputs = Outputs(run.Executed.Cells[0]).ToList();
        Assert.True(outputs[0]["text"]!.GetValue<string>().Length <= 5_000);
        Assert.Contains("Output truncated", outputs[^1]["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Printed_text_past_the_cap_is_cut_with_one_note_and_kept_whole_beside_the_copy()
    {
        var folder = Directory.CreateTempSubdirectory("course-overflow-").FullName;
        try
        {
            var run = await new NotebookRunner(new RunOptions { MaxStreamPerCell = 1_000, OverflowFolder = folder }).RunAsync(Notebook.Parse(Of(
                Code("Console.Write(\"start \");\nfor (int i = 0; i < 300; i++) { Console.WriteLine($\"line {i}\"); Console.Error.Write(\"\"); }\n6 * 7")),
                "/tmp/overflow.ipynb"));
            Assert.True(run.Succeeded, run.Failure);
            var outputs = Outputs(run.Executed.Cells[0]).ToList();
            var streams = outputs.Where(o => o["output_type"]!.GetValue<string>() == "stream").ToList();
            Assert.Equal(1_000, streams.SkipLast(1).Sum(o => o["text"]!.GetValue<string>().Length));
            Assert.StartsWith("start line 0\nline 1\n", streams[0]["text"]!.GetValue<string>());
            Assert.Contains("overflow.cell-1.txt", Assert.Single(outputs, o => o["text"]?.GetValue<string>().Contains("Output truncated", StringComparison.Ordinal) == true)["text"]!.GetValue<string>());
            Assert.Equal("42", outputs[^1]["data"]!["text/plain"]!.GetValue<string>()); // a result after the cut is still kept
            string whole = File.ReadAllText(Path.Combine(folder, "overflow.cell-1.txt"));
            Assert.Equal("start " + string.Concat(Enumerable.Range(0, 300).Select(i => $"line {i}\n")), whole);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Cells_with_a_skipped_tag_do_not_run()
    {
        var run = await Run(Of(Code("int answer = 0;"), Code("answer = 42;", "solution"), Code("answer")), new RunOptions { SkipTags = new HashSet<string> { "solution" } });
        Assert.Equal("0", Outputs(run.Executed.Cells[2]).Single()["data"]!["text/plain"]!.GetValue<string>());
    }
}
