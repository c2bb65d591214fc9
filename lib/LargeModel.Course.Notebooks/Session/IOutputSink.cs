using LargeModel.Course.Notebooks.Display;

namespace LargeModel.Course.Notebooks.Session;

/// <summary>
/// Where a running cell's outputs go. The headless runner writes them into the executed notebook; the Jupyter
/// kernel sends them to the front end as they happen. Calls may come from any thread the cell uses.
/// </summary>
public interface IOutputSink
{
    /// <summary>Text the cell wrote to <c>stdout</c> or <c>stderr</c>.</summary>
    void Stream(string name, string text);

    /// <summary>A displayed value; <paramref name="displayId"/> names it so it can be updated later.</summary>
    void Display(MimeBundle bundle, string displayId);

    /// <summary>A new version of the display called <paramref name="displayId"/>.</summary>
    void UpdateDisplay(MimeBundle bundle, string displayId);

    /// <summary>The value of the cell's last expression.</summary>
    void Result(MimeBundle bundle);

    /// <summary>A line typed by the user in answer to <paramref name="prompt"/>, or null when input is not possible.</summary>
    string? ReadLine(string prompt) => null;
}
