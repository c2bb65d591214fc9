using LargeModel.Course.Notebooks.Kernel;

namespace LargeModel.Course.Notebooks.Tests.Kernel;

/// <summary>The connection files the course writes itself (kernel bench, tests): private, whole, and with a secret key.</summary>
public class ConnectionFileTests
{
    [Fact]
    public void A_connection_file_is_owner_only_written_whole_and_reads_back()
    {
        var folder = Directory.CreateTempSubdirectory("course-connection-").FullName;
        try
        {
            string path = Path.Combine(folder, "kernel.json");
            File.WriteAllText(path, "an older, world-readable file");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100); // rw-r--r--

            var connection = ConnectionFile.CreateLocal();
            connection.Write(path);

            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(["kernel.json"], Directory.GetFiles(folder).Select(Path.GetFileName)); // no temporary file left
            Assert.Equal(connection, ConnectionFile.Read(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Keys_are_256_random_bits_in_hex()
    {
        var keys = Enumerable.Range(0, 50).Select(_ => ConnectionFile.CreateLocal().Key).ToList();
        Assert.All(keys, key => Assert.Matches("^[0-9a-f]{64}$", key));
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // A GUID-made key would carry its version nibble ('4') at fixed places; random hex spreads all 16 digits everywhere.
        var digitsAtTwelve = keys.Select(k => k[12]).Distinct().Count();
        Assert.True(digitsAtTwelve > 4, $"position 12 took only {digitsAtTwelve} distinct digits over 50 keys");
    }
}
