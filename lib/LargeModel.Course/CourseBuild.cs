using System.Reflection;

namespace LargeModel.Course;

/// <summary>Facts fixed when the course library was built.</summary>
public static class CourseBuild
{
    /// <summary>The TorchSharp backend this build references: <c>cpu</c> or <c>cuda</c> (MSBuild property CourseBackend).</summary>
    public static string Backend { get; } =
        typeof(CourseBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CourseBackend")?.Value ?? "cpu";
}
