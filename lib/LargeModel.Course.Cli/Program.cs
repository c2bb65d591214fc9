using System.CommandLine;
using LargeModel.Course.Cli;

var root = new RootCommand("LargeModel.Course: from linear regression to a small GPT, in C#.")
{
    DoctorCommand.Create(),
    RunCommand.Create(),
    RunCommand.CreateChild(),
    ExportCommand.Create(),
    GradeCommand.Create(),
    StudentCopyCommand.Create(),
    DataCommand.Create(),
    CacheCommand.Create(),
    KernelCommand.Create(),
    BenchCommand.Create(),
};
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
