using LargeModel.Course.Notebooks.Display;
using LargeModel.Course.Notebooks.Session;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>Keeps everything a cell emits, in order, for assertions.</summary>
sealed class RecordingSink : IOutputSink
{
    public List<(string Kind, string Id, MimeBundle? Bundle, string Text)> Events { get; } = [];

    public string Stdout => string.Concat(Events.Where(e => e.Kind == "stdout").Select(e => e.Text));

    public string Stderr => string.Concat(Events.Where(e => e.Kind == "stderr").Select(e => e.Text));

    public IEnumerable<MimeBundle> Results => Events.Where(e => e.Kind == "result").Select(e => e.Bundle!);

    public void Stream(string name, string text) => Events.Add((name, "", null, text));

    public void Display(MimeBundle bundle, string displayId) => Events.Add(("display", displayId, bundle, bundle.Text()));

    public void UpdateDisplay(MimeBundle bundle, string displayId) => Events.Add(("update", displayId, bundle, bundle.Text()));

    public void Result(MimeBundle bundle) => Events.Add(("result", "", bundle, bundle.Text()));
}
