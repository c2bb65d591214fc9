using System.Text;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Kernel;

namespace LargeModel.Course.Notebooks.Sweep;

/// <summary>One generated bad message: what is wrong with it, the channel, and the frames as sent.</summary>
public sealed record MalformedMessage(string What, Channel Channel, List<byte[]> Frames);

/// <summary>
/// Messages a broken or hostile client may send a kernel: malformed, unsigned, wrongly signed, tampered with,
/// oversized, of the wrong types, and out of order. None may end the kernel, hang it, or run code without the key.
/// Used by <c>course bench sweep</c> and the kernel's tests.
/// </summary>
public static class MalformedMessages
{
    /// <param name="signer">Signs with the kernel's key (the messages that must verify and still make no sense).</param>
    /// <param name="session">The client's session id.</param>
    public static IReadOnlyList<MalformedMessage> Generate(MessageSigner signer, string session)
    {
        var other = new MessageSigner(ConnectionFile.NewKey());

        List<byte[]> Frames(string type, JsonObject content, MessageSigner? by = null) =>
            new JupyterMessage { Header = JupyterMessage.NewHeader(type, session, "sweep"), Content = content }.ToFrames(by ?? signer);

        // Signed correctly, but with parts of our choosing: the kernel must survive what verifies and still makes no sense.
        List<byte[]> Signed(params string[] parts)
        {
            var bytes = parts.Select(Encoding.UTF8.GetBytes).ToList();
            return [Encoding.ASCII.GetBytes("<IDS|MSG>"), Encoding.ASCII.GetBytes(signer.Sign(bytes)), .. bytes];
        }

        string header = JupyterMessage.NewHeader("kernel_info_request", session).ToJsonString();
        var unsigned = Frames("execute_request", new JsonObject { ["code"] = "kept = 0;" });
        unsigned[1] = [];
        var forged = Frames("execute_request", new JsonObject { ["code"] = "kept = 0;" });
        forged[1] = Encoding.ASCII.GetBytes(new string('0', 64));
        var tampered = Frames("execute_request", new JsonObject { ["code"] = "kept = 1;" });
        tampered[^1] = Encoding.UTF8.GetBytes("{\"code\": \"kept = 0;\"}");

        return new List<MalformedMessage>
        {
            new("one empty frame", Channel.Shell, [[]]),
            new("garbage", Channel.Shell, [Encoding.UTF8.GetBytes("not a jupyter message")]),
            new("delimiter only", Channel.Shell, [Encoding.ASCII.GetBytes("<IDS|MSG>")]),
            new("too few frames", Channel.Shell, Frames("kernel_info_request", []).Take(4).ToList()),
            new("unsigned", Channel.Shell, unsigned),
            new("forged signature", Channel.Shell, forged),
            new("signed with another key", Channel.Shell, Frames("execute_request", new JsonObject { ["code"] = "kept = 0;" }, other)),
            new("content changed after signing", Channel.Shell, tampered),
            new("header not JSON", Channel.Shell, Signed("{not json", "{}", "{}", "{}")),
            new("header an array", Channel.Shell, Signed("[1, 2]", "{}", "{}", "{}")),
            new("header without msg_type", Channel.Shell, Signed("{\"msg_id\": \"x\"}", "{}", "{}", "{}")),
            new("content not JSON", Channel.Shell, Signed(header, "{}", "{}", "{\"code\": ")),
            new("content a string", Channel.Shell, Signed(header, "{}", "{}", "\"text\"")),
            new("parent header a number", Channel.Shell, Signed(header, "7", "{}", "{}")),
            new("invalid UTF-8 content", Channel.Shell, [Encoding.ASCII.GetBytes("<IDS|MSG>"), Encoding.ASCII.GetBytes(signer.Sign([Encoding.UTF8.GetBytes(header), "{}"u8.ToArray(), "{}"u8.ToArray(), new byte[] { 0x7B, 0xFF, 0xFE, 0x7D }])), Encoding.UTF8.GetBytes(header), "{}"u8.ToArray(), "{}"u8.ToArray(), [0x7B, 0xFF, 0xFE, 0x7D]]),
            new("oversized (32 MB content)", Channel.Shell, Frames("kernel_info_request", new JsonObject { ["padding"] = new string('p', 32_000_000) })),
            new("10,000 buffer frames", Channel.Shell, [.. Frames("kernel_info_request", []), .. Enumerable.Range(0, 10_000).Select(i => new byte[] { (byte)i })]),
            new("execute with code a number", Channel.Shell, Frames("execute_request", new JsonObject { ["code"] = 5 })),
            new("execute without content", Channel.Shell, Frames("execute_request", [])),
            new("execute with silent a string", Channel.Shell, Frames("execute_request", new JsonObject { ["code"] = "1", ["silent"] = "yes" })),
            new("complete with cursor a string", Channel.Shell, Frames("complete_request", new JsonObject { ["code"] = "kep", ["cursor_pos"] = "x" })),
            new("complete with cursor past the end", Channel.Shell, Frames("complete_request", new JsonObject { ["code"] = "kep", ["cursor_pos"] = 1_000_000 })),
            new("complete with cursor negative", Channel.Shell, Frames("complete_request", new JsonObject { ["code"] = "kep", ["cursor_pos"] = -5 })),
            new("inspect with code an object", Channel.Shell, Frames("inspect_request", new JsonObject { ["code"] = new JsonObject(), ["cursor_pos"] = 0 })),
            new("inspect with cursor past the end", Channel.Shell, Frames("inspect_request", new JsonObject { ["code"] = "kept", ["cursor_pos"] = 99 })),
            new("is_complete with code a list", Channel.Shell, Frames("is_complete_request", new JsonObject { ["code"] = new JsonArray(1) })),
            new("unknown message type", Channel.Shell, Frames("make_coffee_request", [])),
            new("a reply sent to the kernel", Channel.Shell, Frames("execute_reply", new JsonObject { ["status"] = "ok" })),
            new("input_reply nobody asked for", Channel.Stdin, Frames("input_reply", new JsonObject { ["value"] = "surprise" })),
            new("input_reply with value a number", Channel.Stdin, Frames("input_reply", new JsonObject { ["value"] = 3 })),
            new("interrupt on shell", Channel.Shell, Frames("interrupt_request", [])),
            new("execute on control", Channel.Control, Frames("execute_request", new JsonObject { ["code"] = "kept = 0;" })),
            new("unsigned on control", Channel.Control, unsigned),
            new("garbage on control", Channel.Control, [Encoding.UTF8.GetBytes("x")]),
            new("header not JSON on control", Channel.Control, Signed("{", "{}", "{}", "{}")),
            new("shutdown with restart a string", Channel.Control, Frames("unknown_shutdown_request", new JsonObject { ["restart"] = "maybe" })),
            new("interrupt with nothing running", Channel.Control, Frames("interrupt_request", [])),
            new("garbage on stdin", Channel.Stdin, [Encoding.UTF8.GetBytes("x")]),
        };

    }
}
