using System.Reflection;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Session;
using Microsoft.CodeAnalysis.CSharp;

namespace LargeModel.Course.Notebooks.Kernel;

/// <summary>The shell channel's requests: execute, complete, inspect, and the small questions front ends ask.</summary>
sealed class ShellHandler(JupyterKernel kernel, CSharpSession session, TextWriter log)
{
    /// <summary>How long an interrupted cell gets to stop before the kernel answers for it and says to restart.</summary>
    public static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(5);

    /// <summary>A cell that ignored an interrupt and is still running, or null.</summary>
    Task? stuckCell;

    public void Handle(JupyterMessage message)
    {
        var content = message.Content;
        switch (message.Type)
        {
            case "execute_request":
                Execute(message);
                break;
            case "kernel_info_request":
                kernel.Reply(message, Channel.Shell, "kernel_info_reply", KernelInfo());
                break;
            case "complete_request":
                kernel.Reply(message, Channel.Shell, "complete_reply", session.WithCompiler(() =>
                    Completion.Complete(session, Text(content, "code"), content["cursor_pos"]?.GetValue<int>() ?? Text(content, "code").Length)));
                break;
            case "inspect_request":
                kernel.Reply(message, Channel.Shell, "inspect_reply", session.WithCompiler(() =>
                    Inspection.Inspect(session, Text(content, "code"), content["cursor_pos"]?.GetValue<int>() ?? Text(content, "code").Length)));
                break;
            case "is_complete_request":
                kernel.Reply(message, Channel.Shell, "is_complete_reply", IsComplete(Text(content, "code")));
                break;
            case "comm_info_request":
                kernel.Reply(message, Channel.Shell, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "history_request":
                kernel.Reply(message, Channel.Shell, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                break;
            case "shutdown_request":
                kernel.Shutdown(message, Channel.Shell);
                break;
            default:
                log.WriteLine($"kernel: ignored {message.Type} on shell.");
                break;
        }
    }

    public static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "largemodel-course",
        ["implementation_version"] = typeof(ShellHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = LanguageVersion.Latest.MapSpecifiedToEffectiveVersion().ToDisplayString(),
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = "LargeModel.Course C# kernel (Roslyn scripting, TorchSharp). Interrupt stops the course's loops; variables are kept.",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    static string Text(JsonObject content, string name) => content[name]?.GetValue<string>() ?? "";

    static JsonObject IsComplete(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest, kind: Microsoft.CodeAnalysis.SourceCodeKind.Script));
        return SyntaxFactory.IsCompleteSubmission(tree)
            ? new JsonObject { ["status"] = "complete" }
            : new JsonObject { ["status"] = "incomplete", ["indent"] = "" };
    }

    void Execute(JupyterMessage request)
    {
        var content = request.Content;
        string code = Text(content, "code");
        bool silent = content["silent"]?.GetValue<bool>() ?? false;
        bool storeHistory = !silent && (content["store_history"]?.GetValue<bool>() ?? true);
        bool allowStdin = content["allow_stdin"]?.GetValue<bool>() ?? false;
        bool stopOnError = content["stop_on_error"]?.GetValue<bool>() ?? true;
        int count = session.ExecutionCount + (storeHistory ? 1 : 0);
        if (!silent) kernel.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);

        if (stuckCell is { IsCompleted: false })
        {
            ReplyError(request, count, new CellError("KernelBusy",
                "An earlier cell ignored the interrupt and is still running. Restart the kernel to stop it (its variables will be lost).", null, []));
            return;
        }

        kernel.ClearInterrupt();
        using var sink = new KernelOutputSink(kernel, request, silent, allowStdin) { ExecutionCount = count };
        var cell = RunOnOwnThread(() => session.ExecuteAsync(code, sink, storeHistory));
        CellOutcome? outcome = null;
        while (outcome is null)
        {
            if (cell.Wait(TimeSpan.FromMilliseconds(50)))
                outcome = cell.Result;
            else if (kernel.InterruptedAt is { } at && DateTime.UtcNow - at > InterruptGrace)
                break;
        }

        if (outcome is null)
        {
            // .NET cannot stop a thread that does not check for cancellation: answer for the cell and keep serving.
            stuckCell = cell;
            log.WriteLine("kernel: an interrupted cell did not stop; it keeps running until the kernel restarts.");
            ReplyError(request, count, new CellError("Interrupted",
                $"The cell did not stop within {InterruptGrace.TotalSeconds:0} s of the interrupt: its code does not check for cancellation " +
                "(call LargeModel.Course.Interrupt.ThrowIfRequested() in long loops). It is still running in the background; " +
                "restart the kernel to stop it (its variables will be lost).", null, []));
            return;
        }

        sink.Flush();
        if (outcome.Error is { } error)
        {
            ReplyError(request, outcome.ExecutionCount, error);
            if (stopOnError) kernel.AbortQueuedExecutions();
            return;
        }
        kernel.Reply(request, Channel.Shell, "execute_reply", new JsonObject
        {
            ["status"] = "ok",
            ["execution_count"] = outcome.ExecutionCount,
            ["user_expressions"] = new JsonObject(),
            ["payload"] = new JsonArray(),
        });
    }

    void ReplyError(JupyterMessage request, int count, CellError error)
    {
        var traceback = new JsonArray(new[] { $"\u001b[0;31m{error.Summary}\u001b[0m" }.Concat(error.Traceback).Select(line => (JsonNode?)JsonValue.Create(line)).ToArray());
        var details = new JsonObject { ["ename"] = error.Name, ["evalue"] = error.Message, ["traceback"] = traceback };
        kernel.Publish("error", (JsonObject)details.DeepClone(), request);
        details["status"] = "error";
        details["execution_count"] = count;
        kernel.Reply(request, Channel.Shell, "execute_reply", details);
    }

    /// <summary>
    /// Each cell starts on a thread of its own with a large stack (deep recursion in a lesson should not kill the
    /// kernel), so a cell that never yields cannot block the kernel from answering for it.
    /// </summary>
    static Task<CellOutcome> RunOnOwnThread(Func<Task<CellOutcome>> run)
    {
        var done = new TaskCompletionSource<CellOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(run().GetAwaiter().GetResult());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, maxStackSize: 64 * 1024 * 1024)
        { IsBackground = true, Name = "cell" };
        thread.Start();
        return done.Task;
    }
}
