using NetMQ;
using NetMQ.Sockets;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>The kernel's channels (heartbeat has its own socket and thread and carries no messages).</summary>
public enum Channel
{
    Shell,
    Control,
    Stdin,
    IoPub,
}

/// <summary>
/// The kernel's five ZeroMQ sockets, bound to the connection file's address only. NetMQ sockets are not
/// thread-safe, so one poller thread owns shell, control, stdin and iopub: it receives, verifies and hands
/// messages on, and it alone sends, draining a queue that any thread may fill. The heartbeat echoes on its own
/// thread so that a busy kernel still answers "alive".
/// </summary>
sealed class KernelSockets : IDisposable
{
    readonly RouterSocket shell = new(), control = new(), stdin = new();
    readonly PublisherSocket iopub = new();
    readonly ResponseSocket heartbeat = new();
    readonly NetMQQueue<Outgoing> outgoing = new();
    readonly NetMQPoller poller, heartbeatPoller;
    readonly MessageSigner signer;
    readonly TextWriter log;
    readonly Action<Channel, JupyterMessage> received;

    readonly record struct Outgoing(Channel Channel, JupyterMessage? Message, Action? Then);

    public KernelSockets(ConnectionFile connection, TextWriter log, Action<Channel, JupyterMessage> received)
    {
        signer = new MessageSigner(connection.Key);
        this.log = log;
        this.received = received;
        foreach (var socket in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat })
            socket.Options.Linger = TimeSpan.FromSeconds(1);
        shell.Bind(connection.Address(connection.ShellPort));
        control.Bind(connection.Address(connection.ControlPort));
        stdin.Bind(connection.Address(connection.StdinPort));
        iopub.Bind(connection.Address(connection.IopubPort));
        heartbeat.Bind(connection.Address(connection.HeartbeatPort));

        shell.ReceiveReady += (_, e) => Receive(Channel.Shell, e.Socket);
        control.ReceiveReady += (_, e) => Receive(Channel.Control, e.Socket);
        stdin.ReceiveReady += (_, e) => Receive(Channel.Stdin, e.Socket);
        outgoing.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var item, TimeSpan.Zero))
            {
                if (item.Message is { } message) SendNow(item.Channel, message);
                item.Then?.Invoke();
            }
        };
        heartbeat.ReceiveReady += (_, e) =>
        {
            var ping = e.Socket.ReceiveMultipartMessage();
            e.Socket.SendMultipartMessage(ping);
        };
        poller = new NetMQPoller { shell, control, stdin, iopub, outgoing };
        heartbeatPoller = new NetMQPoller { heartbeat };
    }

    public void Start()
    {
        poller.RunAsync("kernel sockets");
        heartbeatPoller.RunAsync("kernel heartbeat");
    }

    /// <summary>Queues a message; the poller thread signs and sends it, in the order queued.</summary>
    public void Send(Channel channel, JupyterMessage message) => outgoing.Enqueue(new Outgoing(channel, message, null));

    /// <summary>Runs <paramref name="action"/> on the poller thread after everything queued so far was sent.</summary>
    public void AfterQueued(Action action) => outgoing.Enqueue(new Outgoing(Channel.IoPub, null, action));

    void SendNow(Channel channel, JupyterMessage message)
    {
        NetMQSocket socket = channel switch { Channel.Shell => shell, Channel.Control => control, Channel.Stdin => stdin, _ => iopub };
        var frames = message.ToFrames(signer);
        if (channel == Channel.IoPub && message.Identities.Count == 0)
            frames.Insert(0, System.Text.Encoding.UTF8.GetBytes(message.Type)); // the topic
        var wire = new NetMQMessage(frames.Count);
        foreach (var frame in frames) wire.Append(frame);
        socket.SendMultipartMessage(wire);
    }

    void Receive(Channel channel, NetMQSocket socket)
    {
        var wire = socket.ReceiveMultipartMessage();
        var frames = wire.Select(f => f.ToByteArray()).ToList();
        var message = JupyterMessage.Parse(frames, signer, out var rejection);
        if (message is null)
        {
            log.WriteLine($"kernel: dropped a message on {channel.ToString().ToLowerInvariant()}: {rejection}.");
            return;
        }
        try
        {
            received(channel, message);
        }
        catch (Exception e)
        {
            log.WriteLine($"kernel: handling {message.Type} failed: {e}");
        }
    }

    public void Dispose()
    {
        heartbeatPoller.Stop();
        if (poller.IsRunning) poller.Stop();
        poller.Dispose();
        heartbeatPoller.Dispose();
        foreach (var socket in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat }) socket.Dispose();
        outgoing.Dispose();
    }
}
