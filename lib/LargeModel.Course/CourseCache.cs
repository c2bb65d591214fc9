namespace LargeModel.Course;

/// <summary>
/// The course's per-user cache (patched native libraries, fetched corpora, restored packages), kept out of
/// the repository and out of NuGet's folders. <c>COURSE_CACHE</c> moves it, e.g. to a shared classroom disk.
/// </summary>
public static class CourseCache
{
    public const string Variable = "COURSE_CACHE";

    /// <summary>The cache root: <c>$COURSE_CACHE</c>, else the platform's user cache folder + <c>largemodel-course</c>.</summary>
    public static string Root
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var baseFolder = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : !string.IsNullOrWhiteSpace(xdg) ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            if (string.IsNullOrEmpty(baseFolder)) baseFolder = Path.GetTempPath();
            return Path.Combine(baseFolder, "largemodel-course");
        }
    }

    /// <summary>A sub-folder of the cache, created if needed.</summary>
    public static string Folder(string name)
    {
        var folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
