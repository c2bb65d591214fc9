using LargeModel.Course.Notebooks.Display;

namespace LargeModel.Course.Notebooks.Session;

/// <summary>What every cell can call without a <c>using</c>: <c>display(value)</c>, as in Polyglot Notebooks.</summary>
public class NotebookGlobals
{
    readonly CSharpSession session;

    internal NotebookGlobals(CSharpSession session) => this.session = session;

    /// <summary>Shows <paramref name="value"/> now, in its richest form; the handle updates it in place later.</summary>
    public DisplayHandle display(object? value) => session.Show(value);

    /// <summary>Shows text as the given MIME type, e.g. <c>display("&lt;b&gt;hi&lt;/b&gt;", "text/html")</c>.</summary>
    public DisplayHandle display(string content, string mimeType) =>
        session.Show(mimeType == MimeBundle.Plain ? content : new MimeBundle(content).With(mimeType, content));
}

/// <summary>A shown value that can be replaced, e.g. a loss chart redrawn after every epoch.</summary>
public sealed class DisplayHandle
{
    readonly CSharpSession session;

    internal DisplayHandle(CSharpSession session, string id)
    {
        this.session = session;
        Id = id;
    }

    public string Id { get; }

    public void Update(object? value) => session.Update(Id, value);
}
