using System.Globalization;
using System.Text;

namespace LargeModel.Course;

/// <summary>What a check concluded about a learner's answer to one exercise.</summary>
public enum Verdict
{
    Correct,
    Wrong,
    NotAttempted,
    Error,
}

/// <summary>
/// One exercise's verdict and what the check said: for a wrong answer the likely mistake, for an untouched
/// exercise its hint, for a crash the exception.
/// </summary>
public sealed record ExerciseVerdict(string Exercise, Verdict Verdict, string Message)
{
    /// <summary>The words the course uses for each verdict, in outputs, tables and grade reports.</summary>
    public static string Describe(Verdict verdict) => verdict switch
    {
        Verdict.Correct => "correct",
        Verdict.Wrong => "wrong",
        Verdict.NotAttempted => "not attempted",
        _ => "error",
    };

    public override string ToString() => Verdict switch
    {
        Verdict.Correct => $"{Exercise}: correct.",
        Verdict.Wrong => $"{Exercise}: wrong. {Message}",
        Verdict.NotAttempted => $"{Exercise}: not attempted yet. Hint: {Message}",
        _ => $"{Exercise}: error. Your code threw {Message}",
    };
}

/// <summary>The verdicts of a lesson's exercises so far, shown as a table at the end of the lesson.</summary>
public sealed record ExerciseSummary(IReadOnlyList<ExerciseVerdict> Verdicts)
{
    public int Correct => Verdicts.Count(v => v.Verdict == Verdict.Correct);

    public override string ToString()
    {
        if (Verdicts.Count == 0) return "No exercise has been checked yet in this session.";
        int width = Math.Max(8, Verdicts.Max(v => v.Exercise.Length));
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{"Exercise".PadRight(width)}  Verdict");
        foreach (var v in Verdicts) table.AppendLine(CultureInfo.InvariantCulture, $"{v.Exercise.PadRight(width)}  {ExerciseVerdict.Describe(v.Verdict)}");
        table.Append(CultureInfo.InvariantCulture, $"{Correct} of {Verdicts.Count} correct.");
        return table.ToString();
    }
}

/// <summary>
/// Judges a learner's exercise and says what is wrong in words, not just "failed". A check never stops the
/// lesson: it shows a verdict (correct; wrong, with the check's message; not attempted, with the hint; error,
/// with what the code threw), so "Run All" reaches the end, where <see cref="Summary"/> lists them all.
/// </summary>
public static class Exercise
{
    static readonly List<ExerciseVerdict> verdicts = [];

    /// <summary>The verdicts so far, one per exercise (a re-run check replaces its earlier verdict).</summary>
    public static IReadOnlyList<ExerciseVerdict> Verdicts
    {
        get
        {
            lock (verdicts) return verdicts.ToList();
        }
    }

    /// <summary>
    /// Runs <paramref name="check"/> against the learner's code and shows the verdict. An exercise stub throws
    /// <see cref="NotImplementedException"/> (not attempted); a failed <see cref="Check"/> is a wrong answer.
    /// </summary>
    public static void Check(string name, Action check)
    {
        var verdict = Judge(name, check);
        lock (verdicts)
        {
            int index = verdicts.FindIndex(v => v.Exercise == name);
            if (index >= 0) verdicts[index] = verdict;
            else verdicts.Add(verdict);
        }
        LiveDisplay.Show(verdict);
    }

    /// <summary>Shows the table of verdicts; the last cell of every lesson calls it.</summary>
    public static void Summary() => LiveDisplay.Show(new ExerciseSummary(Verdicts));

    static ExerciseVerdict Judge(string name, Action check)
    {
        try
        {
            check();
            return new ExerciseVerdict(name, Verdict.Correct, "");
        }
        catch (NotImplementedException e)
        {
            return new ExerciseVerdict(name, Verdict.NotAttempted, e.Message);
        }
        catch (CheckFailedException e)
        {
            return new ExerciseVerdict(name, Verdict.Wrong, e.Message);
        }
        catch (OperationCanceledException) when (Interrupt.Requested)
        {
            throw; // the learner pressed stop: the cell ends as interrupted, not as a verdict
        }
        catch (Exception e)
        {
            return new ExerciseVerdict(name, Verdict.Error, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
