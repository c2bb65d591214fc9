using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using LargeModel.Course.Native;
using TorchSharp;

namespace LargeModel.Course;

/// <summary>One line of the environment check: what was looked at, what was found, and what to do if it is wrong.</summary>
public sealed record DoctorCheck(string Name, bool Ok, string Found, string? Advice = null);

/// <summary>
/// The environment check a learner runs first (<c>course doctor</c>, and the setup notebook): .NET, TorchSharp,
/// the native library, the device, threads, a quick training step and the machine's matrix-multiply speed.
/// </summary>
public static class Doctor
{
    public static IReadOnlyList<DoctorCheck> Run(string? device = null, int? threads = null, double benchmarkSeconds = 1.0)
    {
        var checks = new List<DoctorCheck>
        {
            new(".NET runtime", true, $"{RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.RuntimeIdentifier})"),
            DotnetSdk(),
            new("TorchSharp", true, $"{Version(typeof(torch).Assembly)}, libtorch {torch.__version__}, backend package: {CourseBuild.Backend}"),
        };

        NativeLoad native;
        try
        {
            native = TorchNative.Load();
            checks.Add(new("Native library", true, native.ToString()));
        }
        catch (TorchNativeException e)
        {
            checks.Add(new("Native library", false, "not loaded", e.Message));
            return checks; // nothing below can run without it
        }

        torch.Device chosen;
        try
        {
            var choice = Devices.Choose(device);
            chosen = choice.Device;
            checks.Add(new("Device", true, $"{chosen} ({choice.Reason})"));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            checks.Add(new("Device", false, "none", e.Message));
            return checks;
        }

        try
        {
            checks.Add(new("CPU threads", true, $"{CpuThreads.Configure(threads)} (of {Environment.ProcessorCount} logical cores; set {CpuThreads.Variable} to change), OpenMP wait policy {CpuThreads.WaitPolicy}"));
        }
        catch (ArgumentOutOfRangeException e)
        {
            checks.Add(new("CPU threads", false, "invalid", e.Message));
        }

        checks.Add(TrainingStep(chosen));
        double gflops = MatmulThroughput.Measure(chosen, seconds: benchmarkSeconds);
        checks.Add(new("Matmul throughput", gflops > 0, $"{gflops:F1} GFLOP/s (float32, 1024x1024, {chosen})"));
        return checks;
    }

    /// <summary>Fits y = 2x + 1 for a few steps: the loss must fall, or autograd and the optimiser are broken.</summary>
    static DoctorCheck TrainingStep(torch.Device device)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.linspace(-1, 1, 64, device: device).unsqueeze(1);
        var y = 2 * x + 1;
        var model = torch.nn.Linear(1, 1).to(device);
        var optimizer = torch.optim.SGD(model.parameters(), 0.5);
        float first = 0, last = 0;
        for (int step = 0; step < 20; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = torch.nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            if (step == 0) first = last;
        }
        bool ok = float.IsFinite(last) && last < first / 10;
        return new("Training step", ok, $"loss {first:F3} -> {last:F5} in 20 SGD steps",
            ok ? null : "A tiny regression did not train: reinstall with `dotnet build` and, if it persists, report the output of `course doctor`.");
    }

    static DoctorCheck DotnetSdk()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            string? version = process?.StandardOutput.ReadToEnd().Trim();
            process?.WaitForExit();
            return process is { ExitCode: 0 } && !string.IsNullOrEmpty(version)
                ? new(".NET SDK", true, version)
                : new(".NET SDK", true, "not found (fine for running; building the course needs the .NET 10 SDK)");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new(".NET SDK", true, "not found (fine for running; building the course needs the .NET 10 SDK)");
        }
    }

    static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
