namespace LargeModel.Course.Tests;

public class AtomicFileTests
{
    [Fact]
    public void A_write_that_fails_half_way_leaves_the_old_file_whole_and_no_temporary_files()
    {
        var folder = Directory.CreateTempSubdirectory("course-atomic-").FullName;
        try
        {
            var path = Path.Combine(folder, "lesson.ipynb");
            AtomicFile.WriteAllText(path, "old");

            Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
            {
                stream.Write("half of the new"u8);
                throw new IOException("disk full");
            }));

            Assert.Equal("old", File.ReadAllText(path));
            Assert.Equal(["lesson.ipynb"], Directory.GetFiles(folder).Select(Path.GetFileName));
            AtomicFile.WriteAllText(path, "new");
            Assert.Equal("new", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
