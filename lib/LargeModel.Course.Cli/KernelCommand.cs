using System.CommandLine;
using LargeModel.Course.Notebooks.Kernel;

namespace LargeModel.Course.Cli;

/// <summary><c>course kernel install | uninstall | list | start | bench</c>: the course's own Jupyter kernel.</summary>
static class KernelCommand
{
    public static Command Create()
    {
        var command = new Command("kernel", "The course's Jupyter kernel, for VS Code, JupyterLab and Jupyter Notebook.");
        command.Subcommands.Add(Install());
        command.Subcommands.Add(Uninstall());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Start());
        command.Subcommands.Add(KernelBench.Create());
        return command;
    }

    static Option<string?> Prefix() => new("--prefix") { Description = "Install under <prefix>/share/jupyter/kernels (e.g. a virtual environment) instead of your Jupyter data folder." };

    static Command Install()
    {
        var prefix = Prefix();
        var force = new Option<bool>("--force") { Description = "Replace an existing kernel of the same name (e.g. the deprecated .NET Interactive one)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for torch in the kernel (COURSE_THREADS); default: the physical cores." };
        var command = new Command("install", $"Install the kernel as \"{KernelSpec.DisplayName}\" ({KernelSpec.Name}), the kernel the course notebooks ask for.") { prefix, force, threads };
        command.SetAction(result =>
        {
            string folder = KernelSpec.Install(KernelSpec.KernelsDirectory(result.GetValue(prefix)), KernelSpec.CourseCommand(), result.GetValue(threads), result.GetValue(force));
            Console.WriteLine($"Installed the kernel \"{KernelSpec.DisplayName}\" in {folder}");
            Console.WriteLine("Open a notebook under notebooks/ in VS Code (Jupyter extension) or Jupyter: it starts this kernel.");
            return 0;
        });
        return command;
    }

    static Command Uninstall()
    {
        var prefix = Prefix();
        var force = new Option<bool>("--force") { Description = "Remove the kernel of that name even if it is not the course's." };
        var command = new Command("uninstall", "Remove the kernel installed by `course kernel install`.") { prefix, force };
        command.SetAction(result =>
        {
            string kernels = KernelSpec.KernelsDirectory(result.GetValue(prefix));
            Console.WriteLine(KernelSpec.Uninstall(kernels, result.GetValue(force))
                ? $"Removed {Path.Combine(kernels, KernelSpec.Name)}"
                : $"No kernel named {KernelSpec.Name} in {kernels}: nothing to do.");
            return 0;
        });
        return command;
    }

    static Command List()
    {
        var prefix = Prefix();
        var command = new Command("list", "List the Jupyter kernels installed for you and system-wide, marking the course's.") { prefix };
        command.SetAction(result =>
        {
            var kernels = KernelSpec.List(KernelSpec.KernelsDirectory(result.GetValue(prefix)));
            if (kernels.Count == 0) Console.WriteLine($"No Jupyter kernels found. Run `course kernel install`.");
            int width = kernels.Count == 0 ? 0 : kernels.Max(k => k.Name.Length);
            foreach (var kernel in kernels)
                Console.WriteLine($"{(kernel.Ours ? "*" : " ")} {kernel.Name.PadRight(width)}  {kernel.DisplayName,-24}  {kernel.Directory}");
            if (kernels.Count > 0) Console.WriteLine("* = the course's kernel");
            return 0;
        });
        return command;
    }

    static Command Start()
    {
        var file = new Argument<string>("connection-file") { Description = "The connection file the Jupyter client wrote." };
        var command = new Command("start", "Run the kernel (Jupyter starts this; you do not need to).") { file };
        command.SetAction(result =>
        {
            // The kernel's own log goes to the real stderr, which the client keeps; a cell's Console output goes to the notebook.
            var log = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
            var kernel = new JupyterKernel(ConnectionFile.Read(result.GetValue(file)!), log);
            kernel.Run();
            return 0;
        });
        return command;
    }
}
