using LargeModel.Course.Native;

namespace LargeModel.Course.Tests;

public class NativeLoadingTests
{
    static readonly string[] SystemLibStdCxx =
        ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6"];

    [Fact]
    public void TorchSharp_runs_after_the_course_loads_its_native_library()
    {
        var load = TorchNative.Load();
        using var x = tensor(new float[] { 1, 2, 3 });
        Assert.Equal(14f, x.dot(x).item<float>());
        Assert.True(File.Exists(load.LibraryPath) || !OperatingSystem.IsLinux(), load.ToString());
    }

    [Fact]
    public void A_patched_copy_is_used_exactly_when_the_system_libstdcxx_is_too_old()
    {
        if (!OperatingSystem.IsLinux())
        {
            // The fix is Linux-only: elsewhere it must be a no-op, TorchSharp loading its own library.
            Assert.False(TorchNative.Load().Patched);
            return;
        }
        var systemLibrary = SystemLibStdCxx.First(File.Exists);
        bool systemIsNewEnough = File.ReadAllText(systemLibrary, System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32\0");

        var load = TorchNative.Load();

        Assert.Equal(!systemIsNewEnough, load.Patched);
        if (load.Patched)
        {
            Assert.Equal(["GLIBCXX_3.4.32"], load.WeakenedVersions);
            Assert.StartsWith(CourseCache.Root, load.LibraryPath);
            Assert.DoesNotContain(".nuget", load.LibraryPath);
            // The shipped file is untouched: the patch lives only in the copy.
            var shipped = ElfVersionNeeds.Read(File.ReadAllBytes(load.ShippedPath!));
            Assert.False(shipped.Needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
            var copy = ElfVersionNeeds.Read(File.ReadAllBytes(load.LibraryPath));
            Assert.True(copy.Needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
            Assert.All(copy.Needs.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
        }
    }

    // Linux only: elsewhere there is no ELF library to read. CI runs on Linux, where it never skips.
    [SkippableFact]
    public void The_requirement_that_is_weakened_binds_no_relocation_while_real_ones_do()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "TorchSharp's native library is an ELF file only on Linux.");
        var load = TorchNative.Load();
        var elf = ElfVersionNeeds.Read(File.ReadAllBytes(load.ShippedPath ?? load.LibraryPath));

        var glibcxx = elf.Needs.Where(n => n.File == "libstdc++.so.6").ToList();
        Assert.Contains(glibcxx, n => n.Version == "GLIBCXX_3.4.32");
        Assert.False(elf.IsUsedByRelocations(glibcxx.Single(n => n.Version == "GLIBCXX_3.4.32")));
        // The check is not vacuous: the library's everyday requirements are bound by relocations.
        Assert.True(elf.IsUsedByRelocations(elf.Needs.Single(n => n.File == "libc.so.6" && n.Version == "GLIBC_2.2.5")));
        Assert.Contains(glibcxx, elf.IsUsedByRelocations);
    }

    [Fact]
    public void Reading_a_file_that_is_not_elf_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[128]));
        Assert.Contains("not an ELF file", error.Message);
    }
}
