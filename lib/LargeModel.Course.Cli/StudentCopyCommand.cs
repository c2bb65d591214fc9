using System.CommandLine;
using LargeModel.Course.Notebooks.Grading;

namespace LargeModel.Course.Cli;

/// <summary>
/// <c>course student-copy DIR</c>: learners' editions of every lesson, without reference solutions or outputs, laid
/// out like the repository (notebooks/ beside assets/) so the lessons' figures still show.
/// </summary>
static class StudentCopyCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Where to write the learners' editions (notebooks/ and assets/ inside it)." };
        var course = new Option<string?>("--course") { Description = "The course's lessons folder (default: notebooks/ of this clone)." };
        var force = new Option<bool>("--force") { Description = "Replace editions already in the folder." };
        var command = new Command("student-copy", "Write learners' editions of every lesson, without the reference solutions, to hand out.") { folder, course, force };
        command.SetAction(result =>
        {
            string source = CourseNotebooks.Folder(result.GetValue(course));
            string target = Path.GetFullPath(result.GetValue(folder)!);
            string notebooks = Path.Combine(target, "notebooks");
            if (Path.GetFullPath(source) == notebooks)
                throw new InvalidOperationException("That folder holds the course's own notebooks; choose another one.");
            var lessons = CourseNotebooks.Load(source);
            var clashes = lessons.Select(l => Path.Combine(notebooks, l.Name)).Where(File.Exists).ToList();
            if (clashes.Count > 0 && !result.GetValue(force))
            {
                Console.Error.WriteLine($"course student-copy: {clashes.Count} edition(s) already exist in {notebooks} (e.g. {Path.GetFileName(clashes[0])}); a learner may have worked in them. Choose another folder, or add --force to replace them.");
                return 2;
            }
            Directory.CreateDirectory(notebooks);
            foreach (var lesson in lessons)
            {
                CourseNotebooks.StudentEdition(lesson).Save(Path.Combine(notebooks, lesson.Name));
                Console.WriteLine($"{lesson.Name}: {lesson.Cells.Count(c => c.Tags.Contains(Tags.Exercise))} exercise(s), solutions removed");
            }
            string assets = Path.Combine(Path.GetDirectoryName(source)!, "assets");
            if (Directory.Exists(assets))
                foreach (var file in Directory.GetFiles(assets, "*", SearchOption.AllDirectories))
                {
                    string copy = Path.Combine(target, "assets", Path.GetRelativePath(assets, file));
                    Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                    File.Copy(file, copy, overwrite: true);
                }
            Console.WriteLine($"{lessons.Count} lesson(s) written to {notebooks}.");
            return 0;
        });
        return command;
    }
}
