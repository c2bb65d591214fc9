using System.Text;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// A small Jupyter client over real sockets, for the kernel's protocol tests and its benchmark: it talks to a
/// kernel exactly as jupyter_client does (signed messages, one identity for shell and stdin). Use it from one
/// thread at a time.
/// </summary>
public sealed class KernelClient : IDisposable
{
    readonly DealerSocket shell = new(), control = new(), stdin = new();
    readonly SubscriberSocket iopub = new();
    readonly ConnectionFile connection;
    RequestSocket heartbeat = new();

    public KernelClient(ConnectionFile connection)
    {
        this.connection = connection;
        Signer = new MessageSigner(connection.Key);
        var identity = Encoding.ASCII.GetBytes(Session);
        shell.Options.Identity = identity;
        stdin.Options.Identity = identity;
        foreach (var socket in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat }) socket.Options.Linger = TimeSpan.Zero;
        shell.Connect(connection.Address(connection.ShellPort));
        control.Connect(connection.Address(connection.ControlPort));
        stdin.Connect(connection.Address(connection.StdinPort));
        iopub.Connect(connection.Address(connection.IopubPort));
        iopub.SubscribeToAnyTopic();
        heartbeat.Connect(connection.Address(connection.HeartbeatPort));
    }

    public string Session { get; } = Guid.NewGuid().ToString();

    public MessageSigner Signer { get; }

    /// <summary>Sends a request; returns its msg_id.</summary>
    public string Send(Channel channel, string type, JsonObject content)
    {
        var message = new JupyterMessage { Header = JupyterMessage.NewHeader(type, Session, "test"), Content = content };
        SendFrames(channel, message.ToFrames(Signer));
        return message.Id;
    }

    public void SendFrames(Channel channel, IReadOnlyList<byte[]> frames)
    {
        var wire = new NetMQMessage();
        foreach (var frame in frames) wire.Append(frame);
        Socket(channel).SendMultipartMessage(wire);
    }

    /// <summary>The next message on <paramref name="channel"/>, or null after <paramref name="timeout"/>.</summary>
    public JupyterMessage? Receive(Channel channel, TimeSpan timeout)
    {
        var wire = Poll(() =>
        {
            var received = new NetMQMessage();
            return Socket(channel).TryReceiveMultipartMessage(TimeSpan.Zero, ref received) ? received : null;
        }, timeout);
        if (wire is null) return null;
        var message = JupyterMessage.Parse(wire.Select(f => f.ToByteArray()).ToList(), Signer, out var rejection);
        return message ?? throw new InvalidDataException($"The kernel sent a message this client rejects: {rejection}.");
    }

    /// <summary>The reply to <paramref name="requestId"/> on <paramref name="channel"/> (other messages are skipped).</summary>
    public JupyterMessage? ReplyTo(string requestId, Channel channel, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var message = Receive(channel, deadline - DateTime.UtcNow);
            if (message?.ParentId == requestId) return message;
        }
        return null;
    }

    /// <summary>Waits until the kernel answers kernel_info and its iopub reaches this client (ZeroMQ subscriptions take a moment).</summary>
    public JupyterMessage WaitReady(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            string id = Send(Channel.Shell, "kernel_info_request", []);
            var reply = ReplyTo(id, Channel.Shell, Min(deadline - DateTime.UtcNow, TimeSpan.FromSeconds(30)));
            if (reply is null) continue;
            if (IopubFor(id, Min(deadline - DateTime.UtcNow, TimeSpan.FromMilliseconds(500))).Any(m => IsIdle(m))) return reply;
        }
        throw new TimeoutException($"The kernel did not become ready within {timeout.TotalSeconds:0} s.");
    }

    /// <summary>The iopub messages caused by <paramref name="requestId"/>, up to and including its idle status.</summary>
    public List<JupyterMessage> IopubFor(string requestId, TimeSpan timeout)
    {
        var messages = new List<JupyterMessage>();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var message = Receive(Channel.IoPub, deadline - DateTime.UtcNow);
            if (message is null || message.ParentId != requestId) continue;
            messages.Add(message);
            if (IsIdle(message)) break;
        }
        return messages;
    }

    public static bool IsIdle(JupyterMessage message) => message.Type == "status" && message.Content["execution_state"]?.GetValue<string>() == "idle";

    /// <summary>Runs <paramref name="code"/>; answers input requests with <paramref name="input"/> when given.</summary>
    public (JupyterMessage? Reply, List<JupyterMessage> Iopub) Execute(string code, TimeSpan timeout, bool silent = false, bool storeHistory = true, Func<string, string>? input = null)
    {
        string id = Send(Channel.Shell, "execute_request", new JsonObject
        {
            ["code"] = code,
            ["silent"] = silent,
            ["store_history"] = storeHistory,
            ["user_expressions"] = new JsonObject(),
            ["allow_stdin"] = input is not null,
            ["stop_on_error"] = true,
        });
        var deadline = DateTime.UtcNow + timeout;
        var iopubMessages = new List<JupyterMessage>();
        bool idle = false;
        while (DateTime.UtcNow < deadline && !idle)
        {
            if (input is not null && Receive(Channel.Stdin, TimeSpan.Zero) is { Type: "input_request" } request)
                Send(Channel.Stdin, "input_reply", new JsonObject { ["value"] = input(request.Content["prompt"]?.GetValue<string>() ?? "") });
            if (Receive(Channel.IoPub, input is null ? Min(deadline - DateTime.UtcNow, TimeSpan.FromMilliseconds(200)) : TimeSpan.FromMilliseconds(10)) is { } m && m.ParentId == id)
            {
                iopubMessages.Add(m);
                idle = IsIdle(m);
            }
        }
        // The kernel sends the reply before the idle status, so once idle is seen the reply is already here.
        var reply = ReplyTo(id, Channel.Shell, idle ? TimeSpan.FromSeconds(5) : TimeSpan.Zero);
        return (reply, iopubMessages);
    }

    /// <summary>Sends <paramref name="payload"/> to the heartbeat; true when it came back unchanged in time.</summary>
    public bool Heartbeat(byte[] payload, TimeSpan timeout)
    {
        heartbeat.SendFrame(payload);
        var echo = Poll(() => heartbeat.TryReceiveFrameBytes(TimeSpan.Zero, out var bytes) ? bytes : null, timeout);
        if (echo is not null) return echo.AsSpan().SequenceEqual(payload);
        heartbeat.Dispose(); // a REQ socket that missed its answer cannot send again
        heartbeat = new RequestSocket();
        heartbeat.Options.Linger = TimeSpan.Zero;
        heartbeat.Connect(connection.Address(connection.HeartbeatPort));
        return false;
    }

    /// <summary>
    /// Tries <paramref name="receive"/> without blocking until it yields or the time is up. NetMQ's own timed receive
    /// can overrun its timeout and spin a core (on a subscriber socket, seen here every few dozen runs), so the
    /// waiting happens here: briefly spinning, then in 1 ms sleeps.
    /// </summary>
    static T? Poll<T>(Func<T?> receive, TimeSpan timeout) where T : class
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            if (receive() is { } received) return received;
            if (clock.Elapsed >= timeout) return null;
            if (attempt < 20) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    NetMQSocket Socket(Channel channel) => channel switch { Channel.Shell => shell, Channel.Control => control, Channel.Stdin => stdin, _ => iopub };

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    bool disposed;

    public void Dispose()
    {
        if (disposed) return; // NetMQ does not like a socket disposed twice
        disposed = true;
        foreach (var socket in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat }) socket.Dispose();
    }
}
