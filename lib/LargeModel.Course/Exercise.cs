namespace LargeModel.Course;

/// <summary>
/// Checks a learner's exercise and says what is wrong in words, not just "failed": an exercise left as it was
/// is "not done yet" with its hint, a wrong answer is "not right yet" with what was expected.
/// </summary>
public static class Exercise
{
    public static void Check(string name, Action check)
    {
        try
        {
            check();
        }
        catch (NotImplementedException e)
        {
            throw new CheckFailedException($"{name} is not done yet: {e.Message}");
        }
        catch (CheckFailedException e)
        {
            throw new CheckFailedException($"{name} is not right yet. {e.Message}");
        }
        Console.WriteLine($"{name}: correct.");
    }
}
