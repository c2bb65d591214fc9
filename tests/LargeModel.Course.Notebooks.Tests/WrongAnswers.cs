using System.Text.RegularExpressions;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>
/// Plausible wrong answers to a lesson's exercises, from <c>WrongAnswers/NN-lesson.txt</c>. Each section replaces
/// one exercise cell (by its nbformat id) and names words the check's message must contain, so the test proves
/// the check catches that mistake and says something useful about it. File format:
/// <code>
/// # comment
/// === exercise CELL-ID expects "WORDS"
/// C# code that replaces the exercise cell
/// </code>
/// </summary>
sealed record WrongAnswer(string CellId, string Expects, string Code)
{
    static readonly Regex Header = new(@"^=== exercise (?<id>\S+) expects ""(?<words>[^""]*)""\s*$");

    public static string FileFor(string lesson) => Path.Combine(Repository.Root, "tests", "LargeModel.Course.Notebooks.Tests", "WrongAnswers", Path.ChangeExtension(lesson, ".txt"));

    public static IReadOnlyList<WrongAnswer> For(string lesson)
    {
        string file = FileFor(lesson);
        if (!File.Exists(file)) return [];
        var answers = new List<WrongAnswer>();
        (string Id, string Words, List<string> Lines)? current = null;
        foreach (var line in File.ReadAllLines(file))
        {
            var header = Header.Match(line);
            if (header.Success)
            {
                if (current is { } done) answers.Add(new WrongAnswer(done.Id, done.Words, string.Join('\n', done.Lines).Trim('\n')));
                current = (header.Groups["id"].Value, header.Groups["words"].Value, []);
            }
            else if (line.StartsWith("===", StringComparison.Ordinal))
            {
                throw new FormatException($"{file}: a section starts with '=== exercise CELL-ID expects \"WORDS\"', not '{line}'.");
            }
            else if (current is { } open)
            {
                open.Lines.Add(line);
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                throw new FormatException($"{file}: text before the first section: '{line}'.");
            }
        }
        if (current is { } last) answers.Add(new WrongAnswer(last.Id, last.Words, string.Join('\n', last.Lines).Trim('\n')));
        return answers;
    }

    /// <summary>Runs of answers: run i takes each exercise's i-th wrong answer, so one lesson run tests many exercises.</summary>
    public static IReadOnlyList<IReadOnlyList<WrongAnswer>> Rounds(IReadOnlyList<WrongAnswer> answers) =>
        answers.GroupBy(a => a.CellId)
            .SelectMany(g => g.Select((answer, i) => (answer, i)))
            .GroupBy(p => p.i, p => p.answer)
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<WrongAnswer>)g.ToList())
            .ToList();
}
