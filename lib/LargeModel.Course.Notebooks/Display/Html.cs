namespace LargeModel.Course.Notebooks.Display;

/// <summary>HTML a cell wants shown as HTML, e.g. <c>display(new Html("&lt;b&gt;hi&lt;/b&gt;"))</c>.</summary>
public sealed record Html(string Content);

/// <summary>Markdown a cell wants rendered, e.g. a generated table of results.</summary>
public sealed record Markdown(string Content);
