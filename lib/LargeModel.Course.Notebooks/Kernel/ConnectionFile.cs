using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// The file a Jupyter client writes before starting a kernel: where each of the five sockets listens and the key
/// that signs every message. The kernel binds exactly there and nowhere else.
/// </summary>
public sealed record ConnectionFile(string Transport, string Ip, int ShellPort, int ControlPort, int StdinPort, int IopubPort, int HeartbeatPort, string Key, string SignatureScheme)
{
    public string Address(int port) => $"{Transport}://{(Ip.Contains(':', StringComparison.Ordinal) ? $"[{Ip}]" : Ip)}:{port}";

    public static ConnectionFile Read(string path)
    {
        JsonNode json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException("it is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"The connection file {path} is not valid JSON: {e.Message}", e);
        }

        string Text(string name, string? fallback = null) => json[name]?.GetValue<string>() ?? fallback ?? throw new InvalidDataException($"The connection file {path} has no \"{name}\".");
        int Port(string name) => json[name]?.GetValue<int>() is int p and > 0 and < 65536 ? p : throw new InvalidDataException($"The connection file {path} has no valid \"{name}\".");

        var file = new ConnectionFile(Text("transport", "tcp"), Text("ip", "127.0.0.1"), Port("shell_port"), Port("control_port"), Port("stdin_port"),
            Port("iopub_port"), Port("hb_port"), Text("key", ""), Text("signature_scheme", "hmac-sha256"));
        if (file.Transport != "tcp")
            throw new InvalidDataException($"The connection file asks for transport '{file.Transport}'; this kernel speaks tcp only.");
        if (file.SignatureScheme != "hmac-sha256")
            throw new InvalidDataException($"The connection file asks for signature scheme '{file.SignatureScheme}'; this kernel signs with hmac-sha256 only.");
        if (file.Key.Length == 0)
            throw new InvalidDataException("The connection file has an empty key: this kernel refuses to run code from unsigned messages.");
        return file;
    }

    /// <summary>A connection file on loopback with free ports and a fresh random key, as a client would write it.</summary>
    public static ConnectionFile CreateLocal()
    {
        var ports = FreePorts(5);
        return new ConnectionFile("tcp", "127.0.0.1", ports[0], ports[1], ports[2], ports[3], ports[4], NewKey(), "hmac-sha256");
    }

    /// <summary>256 bits from the operating system's cryptographic generator, as hex (GUIDs are unique, not secret).</summary>
    public static string NewKey() => System.Security.Cryptography.RandomNumberGenerator.GetHexString(64, lowercase: true);

    public void Write(string path)
    {
        var json = new JsonObject
        {
            ["transport"] = Transport,
            ["ip"] = Ip,
            ["shell_port"] = ShellPort,
            ["control_port"] = ControlPort,
            ["stdin_port"] = StdinPort,
            ["iopub_port"] = IopubPort,
            ["hb_port"] = HeartbeatPort,
            ["key"] = Key,
            ["signature_scheme"] = SignatureScheme,
            ["kernel_name"] = KernelSpec.Name,
        };
        // The key lets anyone who reads it run code as you: only you may read it, as jupyter_client does, from the
        // moment the file exists; and a kernel starting meanwhile reads the old file or the whole new one.
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    static int[] FreePorts(int count)
    {
        // Hold all listeners open together so the ports differ, then release them for the kernel to bind.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
