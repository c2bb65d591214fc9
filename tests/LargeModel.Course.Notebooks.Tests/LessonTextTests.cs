using LargeModel.Course.Notebooks.Ipynb;

namespace LargeModel.Course.Notebooks.Tests;

public class LessonTextTests
{
    /// <summary>The project's rule: a markdown cell stays under about 1,500 characters, a screenful a learner reads at once.</summary>
    [Theory]
    [MemberData(nameof(CourseNotebookTests.Lessons), MemberType = typeof(CourseNotebookTests))]
    public void Every_markdown_cell_is_short_enough_to_read_at_once(string lesson)
    {
        var notebook = Notebook.Load(Path.Combine(Repository.Notebooks, lesson));
        Assert.All(notebook.Cells.Where(c => c.Type == CellType.Markdown), c =>
            Assert.True(c.Source.Length <= 1600, $"{lesson}: a markdown cell of {c.Source.Length} characters (split it): {c.Source[..Math.Min(80, c.Source.Length)]}…"));
    }
}
