using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Session;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// The course's Jupyter kernel: one C# session behind the five Jupyter channels. Shell requests run one at a
/// time on their own thread, in the order they came; control requests (interrupt, shutdown, kernel info) are
/// answered at once on the socket thread, so the stop button works while a cell runs.
/// </summary>
public sealed class JupyterKernel
{
    readonly TextWriter log;
    readonly KernelSockets sockets;
    readonly BlockingCollection<JupyterMessage> shellQueue = [];
    readonly ManualResetEventSlim stopped = new();
    readonly ShellHandler shell;
    TaskCompletionSource<string>? pendingInput;
    long interruptedAt;
    volatile bool busy;

    public JupyterKernel(ConnectionFile connection, TextWriter log, string? workingDirectory = null)
    {
        this.log = log;
        Session = new CSharpSession(workingDirectory) { Solutions = CSharpSession.SolutionsRequestedByEnvironment() };
        shell = new ShellHandler(this, Session, log);
        sockets = new KernelSockets(connection, log, OnReceived);
    }

    /// <summary>Identifies this kernel process in the headers of the messages it sends.</summary>
    public string SessionId { get; } = Guid.NewGuid().ToString();

    public CSharpSession Session { get; }

    /// <summary>Whether the last shutdown request asked for a restart (the client then starts a new process).</summary>
    public bool RestartRequested { get; private set; }

    /// <summary>When the running cell was asked to stop, or null.</summary>
    internal DateTime? InterruptedAt => Interlocked.Read(ref interruptedAt) is var ticks and > 0 ? new DateTime(ticks, DateTimeKind.Utc) : null;

    internal int QueuedShellMessages => shellQueue.Count;

    /// <summary>Serves until a shutdown request; the caller then exits the process.</summary>
    public void Run()
    {
        sockets.Start();
        Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);
        // Warm the compiler up while the client says hello; the session makes the first cell wait for it to finish.
        Session.WarmUp();
        var worker = new Thread(ShellLoop) { IsBackground = true, Name = "kernel shell" };
        worker.Start();
        stopped.Wait();
        shellQueue.CompleteAdding();
        sockets.Dispose();
    }

    void ShellLoop()
    {
        foreach (var message in shellQueue.GetConsumingEnumerable())
        {
            busy = true;
            Publish("status", new JsonObject { ["execution_state"] = "busy" }, message);
            try
            {
                shell.Handle(message);
            }
            catch (Exception e)
            {
                log.WriteLine($"kernel: {message.Type} failed: {e}");
            }
            busy = false;
            Publish("status", new JsonObject { ["execution_state"] = "idle" }, message);
        }
    }

    void OnReceived(Channel channel, JupyterMessage message)
    {
        switch (channel)
        {
            case Channel.Shell:
                if (!shellQueue.IsAddingCompleted) shellQueue.Add(message);
                break;
            case Channel.Control:
                HandleControl(message);
                break;
            case Channel.Stdin when message.Type == "input_reply":
                pendingInput?.TrySetResult(message.Content["value"]?.GetValue<string>() ?? "");
                break;
            default:
                log.WriteLine($"kernel: ignored {message.Type} on {channel}.");
                break;
        }
    }

    void HandleControl(JupyterMessage message)
    {
        // A running cell owns the busy/idle status; a control request must not make the front end think it ended.
        bool status = !busy;
        if (status) Publish("status", new JsonObject { ["execution_state"] = "busy" }, message);
        switch (message.Type)
        {
            case "kernel_info_request":
                Reply(message, Channel.Control, "kernel_info_reply", ShellHandler.KernelInfo());
                break;
            case "interrupt_request":
                Interrupt();
                Reply(message, Channel.Control, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request":
                Shutdown(message, Channel.Control);
                break;
            default:
                log.WriteLine($"kernel: ignored {message.Type} on control.");
                break;
        }
        if (status) Publish("status", new JsonObject { ["execution_state"] = "idle" }, message);
    }

    /// <summary>Asks the running cell to stop: the course's loops and <c>Interrupt.Token</c> observe it.</summary>
    internal void Interrupt()
    {
        Interlocked.Exchange(ref interruptedAt, DateTime.UtcNow.Ticks);
        LargeModel.Course.Interrupt.Request();
    }

    internal void ClearInterrupt() => Interlocked.Exchange(ref interruptedAt, 0);

    internal void Shutdown(JupyterMessage request, Channel channel)
    {
        RestartRequested = request.Content["restart"]?.GetValue<bool>() ?? false;
        LargeModel.Course.Interrupt.Request();
        Reply(request, channel, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = RestartRequested });
        sockets.AfterQueued(stopped.Set);
    }

    internal void Publish(string type, JsonObject content, JupyterMessage? parent) =>
        sockets.Send(Channel.IoPub, JupyterMessage.Create(type, content, SessionId, parent, identities: []));

    internal void Reply(JupyterMessage request, Channel channel, string type, JsonObject content) =>
        sockets.Send(channel, JupyterMessage.Create(type, content, SessionId, request));

    /// <summary>Asks the front end for a line of input (stdin channel) and waits for it, or for an interrupt.</summary>
    internal string RequestInput(JupyterMessage request, string prompt)
    {
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        pendingInput = answer;
        sockets.Send(Channel.Stdin, JupyterMessage.Create("input_request", new JsonObject { ["prompt"] = prompt, ["password"] = false }, SessionId, request));
        try
        {
            return answer.Task.WaitAsync(LargeModel.Course.Interrupt.Token).GetAwaiter().GetResult();
        }
        finally
        {
            pendingInput = null;
        }
    }

    /// <summary>Replies "aborted" to execute requests already queued behind a failed cell (as "Run All" expects).</summary>
    internal void AbortQueuedExecutions()
    {
        var keep = new List<JupyterMessage>();
        while (shellQueue.TryTake(out var queued))
        {
            if (queued.Type != "execute_request")
            {
                keep.Add(queued);
                continue;
            }
            Publish("status", new JsonObject { ["execution_state"] = "busy" }, queued);
            Reply(queued, Channel.Shell, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = Session.ExecutionCount });
            Publish("status", new JsonObject { ["execution_state"] = "idle" }, queued);
        }
        foreach (var message in keep) shellQueue.Add(message);
    }
}
