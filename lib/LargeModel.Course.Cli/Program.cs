using System.CommandLine;
using LargeModel.Course.Cli;

var root = new RootCommand("LargeModel.Course: from linear regression to a small GPT, in C#.")
{
    DoctorCommand.Create(),
    KernelCommand.Create(),
};
return CliErrors.Run(() => root.Parse(args).Invoke());
