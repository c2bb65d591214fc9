using System.Security.Cryptography;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>
/// Signs and verifies Jupyter messages: HMAC-SHA256 over header, parent header, metadata and content, with the
/// connection file's key, as lowercase hex. Verification compares in constant time, so a forger learns nothing
/// from how long a rejection takes.
/// </summary>
public sealed class MessageSigner(string key)
{
    readonly byte[] key = System.Text.Encoding.UTF8.GetBytes(key);

    public string Sign(IReadOnlyList<byte[]> parts)
    {
        using var hmac = new HMACSHA256(key);
        foreach (var part in parts) hmac.TransformBlock(part, 0, part.Length, null, 0);
        hmac.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(hmac.Hash!);
    }

    public bool Verify(byte[] signature, IReadOnlyList<byte[]> parts)
    {
        var expected = System.Text.Encoding.ASCII.GetBytes(Sign(parts));
        return CryptographicOperations.FixedTimeEquals(expected, signature);
    }
}
