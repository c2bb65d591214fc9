using System.Diagnostics;
using System.Text;
using LargeModel.Course.Notebooks.Kernel;

namespace LargeModel.Course.Notebooks.Tests.Kernel;

/// <summary>
/// Tests that start kernel processes, Jupyter servers or browsers run one at a time: on a 2-core machine they
/// would otherwise starve each other and make timing-sensitive checks (interrupt promptness) flaky.
/// </summary>
[CollectionDefinition(nameof(KernelProcesses))]
public class KernelProcesses;

/// <summary>A real <c>course kernel start</c> process on loopback, with a client connected and ready.</summary>
sealed class KernelProcess : IDisposable
{
    readonly StringBuilder log = new();
    readonly string folder;
    readonly Process process;

    KernelProcess(ConnectionFile connection, string folder)
    {
        Connection = connection;
        this.folder = folder;
        ConnectionPath = Path.Combine(folder, "connection.json");
        connection.Write(ConnectionPath);
        var command = KernelSpec.CourseCommand(AppContext.BaseDirectory);
        var start = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = folder };
        foreach (var argument in command.Skip(1).Concat(["kernel", "start", ConnectionPath])) start.ArgumentList.Add(argument);
        process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        Client = new KernelClient(connection);
        Client.WaitReady(TimeSpan.FromSeconds(90));
    }

    public static KernelProcess Start() => new(ConnectionFile.CreateLocal(), Directory.CreateTempSubdirectory("course-kernel-test-").FullName);

    /// <summary>A new kernel process on the same connection file, as a client restarts a kernel.</summary>
    public KernelProcess Restart() => new(Connection, folder);

    public ConnectionFile Connection { get; }
    public string ConnectionPath { get; }
    public string Folder => folder;
    public KernelClient Client { get; }
    public Process Process => process;

    public string Log
    {
        get
        {
            lock (log) return log.ToString();
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
    }
}
