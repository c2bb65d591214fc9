using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Kernel;

namespace LargeModel.Course.Notebooks.Tests.Kernel;

/// <summary><c>course kernel install | uninstall | list</c>, run as a learner runs them, into a temporary Jupyter data folder.</summary>
[Collection(nameof(KernelProcesses))]
public class KernelSpecTests : IDisposable
{
    readonly string data = Directory.CreateTempSubdirectory("course-jupyter-data-").FullName;

    Dictionary<string, string> Environment => new() { ["JUPYTER_DATA_DIR"] = data };

    string SpecFile => Path.Combine(data, "kernels", KernelSpec.Name, "kernel.json");

    [Fact]
    public void Install_writes_a_kernelspec_that_starts_this_build_with_message_interrupts()
    {
        var (exit, output) = Course.Run(Environment, "kernel", "install", "--threads", "3");
        Assert.True(exit == 0, output);
        var spec = JsonNode.Parse(File.ReadAllText(SpecFile))!;
        var argv = spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.True(Path.IsPathRooted(argv[0]) && File.Exists(argv[0]), argv[0]);
        Assert.Equal(["kernel", "start", "{connection_file}"], argv[^3..]);
        Assert.Equal(".NET (C#)", spec["display_name"]?.GetValue<string>());
        Assert.Equal("C#", spec["language"]?.GetValue<string>());
        Assert.Equal("message", spec["interrupt_mode"]?.GetValue<string>());
        Assert.Equal("3", spec["env"]?["COURSE_THREADS"]?.GetValue<string>());

        var (_, listed) = Course.Run(Environment, "kernel", "list");
        Assert.Contains($"* {KernelSpec.Name}", listed, StringComparison.Ordinal);

        Assert.Equal(0, Course.Run(Environment, "kernel", "uninstall").ExitCode);
        Assert.False(File.Exists(SpecFile));
    }

    [Fact]
    public void An_existing_dotnet_interactive_kernel_is_not_overwritten_without_force()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SpecFile)!);
        const string interactive = """{"argv": ["dotnet", "interactive", "jupyter", "--default-kernel", "csharp", "{connection_file}"], "display_name": ".NET (C#)", "language": "C#"}""";
        File.WriteAllText(SpecFile, interactive);

        var (exit, output) = Course.Run(Environment, "kernel", "install");
        Assert.NotEqual(0, exit);
        Assert.Contains("--force", output, StringComparison.Ordinal);
        Assert.Equal(interactive, File.ReadAllText(SpecFile));
        Assert.NotEqual(0, Course.Run(Environment, "kernel", "uninstall").ExitCode);
        Assert.True(File.Exists(SpecFile));

        Assert.Equal(0, Course.Run(Environment, "kernel", "install", "--force").ExitCode);
        Assert.Equal("message", JsonNode.Parse(File.ReadAllText(SpecFile))!["interrupt_mode"]?.GetValue<string>());
    }

    [Fact]
    public void A_prefix_installs_under_share_jupyter_kernels()
    {
        string prefix = Path.Combine(data, "venv");
        Assert.Equal(0, Course.Run(Environment, "kernel", "install", "--prefix", prefix).ExitCode);
        Assert.True(File.Exists(Path.Combine(prefix, "share", "jupyter", "kernels", KernelSpec.Name, "kernel.json")));
        Assert.False(File.Exists(SpecFile));
    }

    [Fact]
    public void The_user_data_folder_follows_jupyter_on_each_platform()
    {
        string folder = KernelSpec.UserDataDirectory();
        if (System.Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } configured)
        {
            // Jupyter's own override wins on every platform.
            Assert.Equal(Path.GetFullPath(configured), folder);
            return;
        }
        string expectedEnd = OperatingSystem.IsWindows() ? Path.Combine("AppData", "Roaming", "jupyter")
            : OperatingSystem.IsMacOS() ? Path.Combine("Library", "Jupyter")
            : "jupyter";
        Assert.EndsWith(expectedEnd, folder, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(data, recursive: true);
}
