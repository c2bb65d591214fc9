using System.Security.Cryptography;
using System.Text.RegularExpressions;
using LargeModel.Course.Notebooks.Ipynb;
using LargeModel.Course.Notebooks.Sweep;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>
/// The fast part of the bad-input sweep (the whole of it, every input through <c>course run</c> and the kernel, is
/// <c>course bench sweep</c>): every generated notebook read in-process, and a sample of misbehaving cells through
/// the real <c>course run</c>.
/// </summary>
public class SweepTests
{
    [Fact]
    public void Every_generated_notebook_is_refused_with_one_clear_message_or_read_without_error()
    {
        var inputs = MalformedNotebooks.Generate();
        Assert.True(inputs.Count >= 200, $"only {inputs.Count} inputs");
        var folder = Directory.CreateTempSubdirectory("course-sweep-read-").FullName;
        int refused = 0, read = 0;
        try
        {
            foreach (var input in inputs)
            {
                string path = Path.Combine(folder, input.Name + ".ipynb");
                File.WriteAllBytes(path, input.Content);
                try
                {
                    var notebook = Notebook.Load(path);
                    // Everything the runner reads before it runs a cell must work on what was accepted.
                    var copy = notebook.Clone();
                    copy.ClearOutputs();
                    _ = copy.DefaultLanguage;
                    foreach (var cell in copy.Cells) _ = (cell.Source, cell.Tags, cell.Language(copy.DefaultLanguage), cell.Outputs);
                    _ = copy.ToJson();
                    read++;
                }
                catch (NotebookFormatException e)
                {
                    Assert.DoesNotContain('\n', e.Message);
                    Assert.StartsWith($"{input.Name}.ipynb cannot be opened: ", e.Message);
                    refused++;
                }
                Assert.Equal(input.Content, File.ReadAllBytes(path)); // reading never writes
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        Assert.True(refused > 100 && read > 40, $"{refused} refused, {read} read");
    }

    [Fact]
    // Exit(3), ReadLine, new int[int.MaxValue], unbounded recursion, an exception on a thread of its own, #r "nuget: ../..",
    // a null-pointer read, a number as source, invalid UTF-8, nbformat 3 and a truncated file, then a notebook that works.
    public void Misbehaving_cells_each_end_in_one_clear_message_and_the_run_goes_on_without_touching_the_sources()
    {
        string[] sample = ["cell-behaviour-01", "cell-behaviour-03", "cell-behaviour-06", "cell-behaviour-12", "cell-behaviour-15", "cell-behaviour-19",
            "cell-behaviour-25", "source-02", "invalid-utf8-00", "nbformat-00", "truncated-at-30"];
        var inputs = MalformedNotebooks.Generate(includeSlow: false).Where(i => sample.Contains(i.Name)).ToList();
        Assert.Equal(sample.Length, inputs.Count);
        var folder = Directory.CreateTempSubdirectory("course-sweep-run-").FullName;
        try
        {
            var hashes = new Dictionary<string, string>();
            foreach (var input in inputs)
            {
                string path = Path.Combine(folder, input.Name + ".ipynb");
                File.WriteAllBytes(path, input.Content);
                hashes[path] = Convert.ToHexString(SHA256.HashData(input.Content));
            }
            File.WriteAllText(Path.Combine(folder, "zz-fine.ipynb"), TestNotebook.Of(TestNotebook.Code("Console.WriteLine(6 * 7);")));

            var (code, output, error) = Repository.Course("run", folder, "--out", Path.Combine(folder, "executed"), "--cell-timeout", "60");

            Assert.Equal(1, code);
            Assert.Contains("zz-fine.ipynb ok", output);
            foreach (var input in inputs)
            {
                // "[i/n] name FAILED (s)" then exactly one indented line saying why.
                var match = Regex.Match(output, $@"\] {Regex.Escape(input.Name)}\.ipynb FAILED \([^)]*\)\n    (?<why>[^\n]+)\n(?!    )");
                Assert.True(match.Success, $"{input.Name}: no single failure line in\n{output}\n{error}");
                Assert.DoesNotContain("   at ", match.Groups["why"].Value);
            }
            Assert.All(hashes, h => Assert.Equal(h.Value, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(h.Key)))));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
