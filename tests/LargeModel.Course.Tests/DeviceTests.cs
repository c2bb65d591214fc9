using LargeModel.Course.Native;

namespace LargeModel.Course.Tests;

/// <summary>Tests that read or set process-wide settings (environment variables, thread count) run one at a time.</summary>
[CollectionDefinition(nameof(ProcessSettings), DisableParallelization = true)]
public class ProcessSettings;

[Collection(nameof(ProcessSettings))]
public class DeviceTests
{
    [Fact]
    public void Auto_falls_back_to_the_cpu_and_says_why()
    {
        using var environment = new EnvironmentVariable(Devices.Variable, null);
        var choice = Devices.Choose();
        Assert.Equal(DeviceType.CPU, choice.Device.type);
        Assert.Contains("no CUDA GPU", choice.Reason);
        Assert.StartsWith("Using CPU", choice.ToString());
    }

    [Fact]
    public void The_environment_variable_overrides_auto()
    {
        using var environment = new EnvironmentVariable(Devices.Variable, "CPU");
        var choice = Devices.Choose();
        Assert.Equal(DeviceType.CPU, choice.Device.type);
        Assert.Contains("COURSE_DEVICE=CPU", choice.Reason);
    }

    [Fact]
    public void The_parameter_overrides_the_environment_variable()
    {
        using var environment = new EnvironmentVariable(Devices.Variable, "cuda");
        var choice = Devices.Choose("cpu");
        Assert.Equal(DeviceType.CPU, choice.Device.type);
        Assert.Contains("requested", choice.Reason);
    }

    [Fact]
    public void Forcing_a_cuda_device_the_machine_lacks_is_a_clear_error()
    {
        // cuda:99 is missing on every machine: the check runs everywhere, with the message each kind of machine gives.
        using var environment = new EnvironmentVariable(Devices.Variable, "cuda:99");
        var error = Assert.Throws<InvalidOperationException>(() => Devices.Choose());
        if (Devices.CudaAvailable(out _))
        {
            Assert.Contains("CUDA device(s)", error.Message);
        }
        else
        {
            Assert.Contains("not available", error.Message);
            Assert.Contains("COURSE_DEVICE=cpu", error.Message);
        }
    }

    [Fact]
    public void An_unknown_device_name_is_rejected_with_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => Devices.Choose("tpu"));
        Assert.Contains("auto, cpu, cuda or cuda:N", error.Message);
    }

    // Windows: the policy is set through the C runtime there and not read back; CI (Linux) never skips this.
    [SkippableFact]
    public void Idle_torch_threads_sleep_instead_of_spinning_unless_the_user_chose_otherwise()
    {
        Skip.If(OperatingSystem.IsWindows(), "OMP_WAIT_POLICY is read back through getenv only on Linux and macOS.");
        TorchNative.Load();
        string expected = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "PASSIVE"; // a user's own choice is kept
        Assert.Equal(expected, CpuThreads.WaitPolicy);
    }

    [Fact]
    public void Thread_count_is_configurable_and_validated()
    {
        int before = CpuThreads.Current;
        try
        {
            Assert.Equal(1, CpuThreads.Configure(1));
            Assert.Equal(1, CpuThreads.Current);
            using (new EnvironmentVariable(CpuThreads.Variable, "2"))
                Assert.Equal(2, CpuThreads.Configure());
            Assert.Throws<ArgumentOutOfRangeException>(() => CpuThreads.Configure(0));
            using (new EnvironmentVariable(CpuThreads.Variable, null))
                Assert.InRange(CpuThreads.Configure(), 1, Environment.ProcessorCount);
        }
        finally
        {
            CpuThreads.Configure(before);
        }
    }
}

/// <summary>Sets an environment variable for the length of a test.</summary>
sealed class EnvironmentVariable : IDisposable
{
    readonly string name;
    readonly string? previous;

    public EnvironmentVariable(string name, string? value)
    {
        this.name = name;
        previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(name, previous);
}
