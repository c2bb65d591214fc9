using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// One Jupyter message as it travels over ZeroMQ: routing identities, the <c>&lt;IDS|MSG&gt;</c> delimiter, the
/// signature, then four JSON frames (header, parent header, metadata, content) and optional binary buffers.
/// </summary>
public sealed class JupyterMessage
{
    public const string ProtocolVersion = "5.3";
    static readonly byte[] Delimiter = Encoding.ASCII.GetBytes("<IDS|MSG>");

    public IReadOnlyList<byte[]> Identities { get; init; } = [];
    public required JsonObject Header { get; init; }
    public JsonObject ParentHeader { get; init; } = [];
    public JsonObject Metadata { get; init; } = [];
    public JsonObject Content { get; init; } = [];
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    public string Type => Header["msg_type"]?.GetValue<string>() ?? "";
    public string Id => Header["msg_id"]?.GetValue<string>() ?? "";
    public string ParentId => ParentHeader["msg_id"]?.GetValue<string>() ?? "";

    /// <summary>A new message; with a <paramref name="parent"/>, a reply or side effect of it (same identities).</summary>
    public static JupyterMessage Create(string type, JsonObject content, string session, JupyterMessage? parent = null, IReadOnlyList<byte[]>? identities = null) => new()
    {
        Identities = identities ?? parent?.Identities ?? [],
        Header = NewHeader(type, session, parent?.Header["username"]?.GetValue<string>() ?? "kernel"),
        ParentHeader = parent is null ? [] : (JsonObject)parent.Header.DeepClone(),
        Content = content,
    };

    public static JsonObject NewHeader(string type, string session, string username = "kernel") => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString(),
        ["session"] = session,
        ["username"] = username,
        // ISO 8601 with the time zone, as the protocol asks.
        ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        ["msg_type"] = type,
        ["version"] = ProtocolVersion,
    };

    /// <summary>The frames to send, signed.</summary>
    public List<byte[]> ToFrames(MessageSigner signer)
    {
        var parts = new[] { Header, ParentHeader, Metadata, Content }.Select(Serialize).ToList();
        var frames = new List<byte[]>(Identities.Count + 6 + Buffers.Count);
        frames.AddRange(Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(parts)));
        frames.AddRange(parts);
        frames.AddRange(Buffers);
        return frames;
    }

    /// <summary>Parses and verifies received frames; null (with the reason) when the message must be dropped.</summary>
    public static JupyterMessage? Parse(IReadOnlyList<byte[]> frames, MessageSigner signer, out string? rejection)
    {
        int delimiter = -1;
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].AsSpan().SequenceEqual(Delimiter))
            {
                delimiter = i;
                break;
            }
        }
        if (delimiter < 0 || frames.Count < delimiter + 6)
        {
            rejection = "malformed message (no <IDS|MSG> delimiter or too few frames)";
            return null;
        }
        var parts = frames.Skip(delimiter + 2).Take(4).ToList();
        if (!signer.Verify(frames[delimiter + 1], parts))
        {
            rejection = frames[delimiter + 1].Length == 0 ? "unsigned message" : "bad signature";
            return null;
        }
        try
        {
            var message = new JupyterMessage
            {
                Identities = frames.Take(delimiter).ToList(),
                Header = ParseObject(parts[0]) ?? throw new JsonException("the header is not an object"),
                ParentHeader = ParseObject(parts[1]) ?? [],
                Metadata = ParseObject(parts[2]) ?? [],
                Content = ParseObject(parts[3]) ?? [],
                Buffers = frames.Skip(delimiter + 6).ToList(),
            };
            rejection = message.Type.Length == 0 ? "no msg_type in the header" : null;
            return rejection is null ? message : null;
        }
        catch (JsonException e)
        {
            rejection = "invalid JSON: " + e.Message;
            return null;
        }
    }

    static JsonObject? ParseObject(byte[] bytes) => bytes.Length == 0 ? null : JsonNode.Parse(bytes) as JsonObject;

    static byte[] Serialize(JsonObject json) => Encoding.UTF8.GetBytes(WithoutNonFinite(json).ToJsonString());

    /// <summary>JSON has no NaN or Infinity: any such number left in a message becomes null (see <see cref="Display.JsonSafety"/>).</summary>
    static JsonNode WithoutNonFinite(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (IsNonFinite(child)) obj[name] = null;
                    else if (child is not null) WithoutNonFinite(child);
                }
                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    if (IsNonFinite(array[i])) array[i] = null;
                    else if (array[i] is { } child) WithoutNonFinite(child);
                }
                break;
        }
        return node;
    }

    static bool IsNonFinite(JsonNode? node) => node is JsonValue value
        && (value.TryGetValue<double>(out var d) && !double.IsFinite(d) || value.TryGetValue<float>(out var f) && !float.IsFinite(f));
}
