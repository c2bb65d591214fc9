using LargeModel.Course.TestSupport;

namespace LargeModel.Course.Tests;

[Collection(nameof(ProcessSettings))]
public class DoctorTests
{
    [Fact]
    public void Every_check_passes_on_a_working_machine_and_throughput_is_measured()
    {
        var checks = Doctor.Run(device: "cpu", benchmarkSeconds: 0.2);
        Assert.All(checks, c => Assert.True(c.Ok, $"{c.Name}: {c.Found} {c.Advice}"));
        var throughput = checks.Single(c => c.Name == "Matmul throughput");
        Assert.Matches(@"^\d+\.\d GFLOP/s", throughput.Found);
        Assert.True(double.Parse(throughput.Found.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) > 0.1);
    }

    [Fact]
    public void Course_doctor_exits_zero_and_prints_the_device_and_gflops()
    {
        var (code, output, _) = RunCli("doctor", "--bench-seconds", "0.2");
        Assert.Equal(0, code);
        Assert.Contains("Device", output);
        Assert.Matches(@"GFLOP/s", output);
    }

    [Fact]
    public void Course_doctor_with_an_impossible_device_exits_non_zero_with_one_sentence_of_advice()
    {
        // cuda:99 is impossible everywhere: without a GPU, and on a machine with fewer than a hundred, so the test
        // runs on every machine instead of returning early on GPU machines.
        var (code, output, error) = RunCli("doctor", "--device", "cuda:99");
        Assert.Equal(1, code);
        Assert.Contains("FAIL", output);
        Assert.Contains("What to do:", error);
        Assert.DoesNotContain("   at ", output + error); // no stack trace
    }

    static (int Code, string Output, string Error) RunCli(params string[] arguments) =>
        CourseCli.Run(new Dictionary<string, string?> { [Devices.Variable] = null }, arguments);
}
