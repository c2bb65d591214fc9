using System.Text;
using System.Text.Json.Nodes;
using LargeModel.Course.Notebooks.Kernel;

namespace LargeModel.Course.Notebooks.Tests.Kernel;

/// <summary>The kernel over real sockets: a C# Jupyter client against a real <c>course kernel start</c> process.</summary>
[Collection(nameof(KernelProcesses))]
public class KernelProtocolTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    static string Status(JupyterMessage? reply) => reply?.Content["status"]?.GetValue<string>() ?? "(no reply)";

    static JupyterMessage Expect(JupyterMessage? reply) => reply ?? throw new Xunit.Sdk.XunitException("The kernel did not reply in time.");

    [Fact]
    public void Kernel_info_is_answered_on_shell_and_control()
    {
        using var kernel = KernelProcess.Start();
        foreach (var channel in new[] { Channel.Shell, Channel.Control })
        {
            string id = kernel.Client.Send(channel, "kernel_info_request", []);
            var reply = Expect(kernel.Client.ReplyTo(id, channel, Patience));
            Assert.Equal("kernel_info_reply", reply.Type);
            Assert.Equal("5.3", reply.Content["protocol_version"]?.GetValue<string>());
            var language = reply.Content["language_info"]!;
            Assert.Equal("C#", language["name"]?.GetValue<string>());
            Assert.Equal(".cs", language["file_extension"]?.GetValue<string>());
            Assert.Equal("text/x-csharp", language["mimetype"]?.GetValue<string>());
            Assert.Equal("csharp", language["pygments_lexer"]?.GetValue<string>());
        }
    }

    [Fact]
    public void Execute_publishes_the_full_sequence_in_order()
    {
        using var kernel = KernelProcess.Start();
        var (reply, iopub) = kernel.Client.Execute("Console.WriteLine(\"out\");\nvar h = display(\"a\");\nh.Update(\"b\");\n6 * 7", Patience);
        Assert.Equal("ok", Status(reply));
        Assert.Equal(1, reply!.Content["execution_count"]?.GetValue<int>());
        Assert.Equal(["status", "execute_input", "stream", "display_data", "update_display_data", "execute_result", "status"], iopub.Select(m => m.Type));
        Assert.Equal("busy", iopub[0].Content["execution_state"]?.GetValue<string>());
        Assert.Equal(1, iopub[1].Content["execution_count"]?.GetValue<int>());
        Assert.Equal("out\n", iopub[2].Content["text"]?.GetValue<string>());
        string displayId = iopub[3].Content["transient"]!["display_id"]!.GetValue<string>();
        Assert.Equal(displayId, iopub[4].Content["transient"]!["display_id"]!.GetValue<string>());
        Assert.Equal("b", iopub[4].Content["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal("42", iopub[5].Content["data"]!["text/plain"]!.GetValue<string>());
        Assert.Equal(1, iopub[5].Content["execution_count"]?.GetValue<int>());

        var (failed, failedIopub) = kernel.Client.Execute("var list = new List<int>();\nlist[3]", Patience);
        Assert.Equal("error", Status(failed));
        Assert.Equal("ArgumentOutOfRangeException", failed!.Content["ename"]?.GetValue<string>());
        Assert.Equal(["status", "execute_input", "error", "status"], failedIopub.Select(m => m.Type));
        Assert.Contains(failedIopub[2].Content["traceback"]!.AsArray(), line => line!.GetValue<string>().Contains("line 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Silent_and_store_history_are_honoured()
    {
        using var kernel = KernelProcess.Start();
        var (silent, silentIopub) = kernel.Client.Execute("var hidden = 5;\nhidden * 2", Patience, silent: true);
        Assert.Equal("ok", Status(silent));
        Assert.DoesNotContain(silentIopub, m => m.Type is "execute_input" or "execute_result");
        Assert.Equal(0, silent!.Content["execution_count"]?.GetValue<int>());

        var (unstored, _) = kernel.Client.Execute("hidden + 1", Patience, storeHistory: false);
        Assert.Equal(0, unstored!.Content["execution_count"]?.GetValue<int>());

        var (stored, storedIopub) = kernel.Client.Execute("hidden + 2", Patience);
        Assert.Equal(1, stored!.Content["execution_count"]?.GetValue<int>());
        Assert.Equal("7", storedIopub.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>());
    }

    [Fact]
    public void Badly_signed_and_unsigned_messages_are_dropped_and_never_executed()
    {
        using var kernel = KernelProcess.Start();
        string marker = Path.Combine(kernel.Folder, "executed.txt");
        var request = new JupyterMessage
        {
            Header = JupyterMessage.NewHeader("execute_request", kernel.Client.Session, "attacker"),
            Content = new JsonObject { ["code"] = $"System.IO.File.WriteAllText(@\"{marker}\", \"pwned\");", ["silent"] = false, ["allow_stdin"] = false },
        };
        var frames = request.ToFrames(new MessageSigner("not the key"));
        kernel.Client.SendFrames(Channel.Shell, frames);
        var unsigned = request.ToFrames(kernel.Client.Signer);
        unsigned[1] = [];
        kernel.Client.SendFrames(Channel.Shell, unsigned);
        var tampered = request.ToFrames(kernel.Client.Signer);
        tampered[^1] = Encoding.UTF8.GetBytes(request.Content.ToJsonString().Replace("pwned", "PWNED", StringComparison.Ordinal));
        kernel.Client.SendFrames(Channel.Shell, tampered);
        kernel.Client.SendFrames(Channel.Control, frames);

        Assert.Null(kernel.Client.ReplyTo(request.Id, Channel.Shell, TimeSpan.FromSeconds(3)));
        Assert.False(File.Exists(marker));
        var (good, _) = kernel.Client.Execute("1 + 1", Patience);
        Assert.Equal("ok", Status(good));
        Assert.False(File.Exists(marker));
        Assert.Contains("dropped a message on shell: bad signature", kernel.Log, StringComparison.Ordinal);
        Assert.Contains("dropped a message on shell: unsigned message", kernel.Log, StringComparison.Ordinal);
        Assert.Contains("dropped a message on control: bad signature", kernel.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void Interrupt_stops_a_running_loop_and_keeps_the_variables()
    {
        using var kernel = KernelProcess.Start();
        Assert.Equal("ok", Status(kernel.Client.Execute("var kept = 41;", Patience).Reply));

        string id = kernel.Client.Send(Channel.Shell, "execute_request", new JsonObject
        {
            ["code"] = "long spins = 0;\nwhile (true) { spins++; LargeModel.Course.Interrupt.ThrowIfRequested(); }",
            ["silent"] = false,
        });
        WaitForIopub(kernel.Client, id, "execute_input");
        Thread.Sleep(500); // let it spin
        Assert.True(kernel.Client.Heartbeat([1, 2, 3], TimeSpan.FromSeconds(5)), "the heartbeat stopped answering while a cell ran");

        string interrupt = kernel.Client.Send(Channel.Control, "interrupt_request", []);
        Assert.Equal("ok", Status(kernel.Client.ReplyTo(interrupt, Channel.Control, Patience)));
        var reply = Expect(kernel.Client.ReplyTo(id, Channel.Shell, TimeSpan.FromSeconds(30)));
        // The loop itself stopped (the cooperative path), not the kernel giving up on it after the grace period:
        // how fast is a figure of `course kernel bench`, not a test on a shared machine.
        Assert.Equal("error", Status(reply));
        Assert.Equal("Interrupted", reply.Content["ename"]?.GetValue<string>());
        Assert.DoesNotContain("did not stop", reply.Content["evalue"]!.GetValue<string>(), StringComparison.Ordinal);

        var (after, iopub) = kernel.Client.Execute("kept + 1", Patience);
        Assert.Equal("ok", Status(after));
        Assert.Equal("42", iopub.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>());
        // The loop's thread has ended: its counter no longer moves, and the kernel runs cells (no KernelBusy).
        string Spins() => kernel.Client.Execute("spins", Patience).Iopub.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>();
        string first = Spins();
        Thread.Sleep(200);
        Assert.Equal(first, Spins());
        Assert.True(long.Parse(first, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.False(kernel.Process.HasExited);
    }

    [Fact]
    public void A_cell_printing_past_the_cap_sends_the_first_part_and_one_note()
    {
        using var kernel = KernelProcess.Start();
        // 30,000 lines of 50 characters: 1.5 million, past the 1 million a cell may send.
        var (reply, iopub) = kernel.Client.Execute("for (int i = 0; i < 30_000; i++) Console.WriteLine(new string('x', 49));\nvar after = 1;", Patience);
        Assert.Equal("ok", Status(reply));
        var texts = iopub.Where(m => m.Type == "stream").Select(m => m.Content["text"]!.GetValue<string>()).ToList();
        Assert.Equal(1, texts.Count(t => t.Contains("Output truncated", StringComparison.Ordinal)));
        Assert.Equal(LargeModel.Course.Notebooks.Session.OutputLimits.StreamPerCell, texts.Where(t => !t.Contains("Output truncated", StringComparison.Ordinal)).Sum(t => (long)t.Length));
        Assert.Equal("ok", Status(kernel.Client.Execute("after", Patience).Reply));
    }

    [Fact]
    public void Malformed_unsigned_oversized_and_out_of_order_messages_leave_the_kernel_alive_with_its_variables()
    {
        using var kernel = KernelProcess.Start();
        Assert.Equal("ok", Status(kernel.Client.Execute("var kept = 42;", Patience).Reply));
        var messages = LargeModel.Course.Notebooks.Sweep.MalformedMessages.Generate(kernel.Client.Signer, kernel.Client.Session);
        Assert.True(messages.Count >= 30);
        foreach (var message in messages)
        {
            kernel.Client.SendFrames(message.Channel, message.Frames);
            Assert.True(kernel.Client.Heartbeat([7], Patience), $"no heartbeat after: {message.What}\n{kernel.Log}");
            string id = kernel.Client.Send(Channel.Shell, "kernel_info_request", []);
            Assert.True(kernel.Client.ReplyTo(id, Channel.Shell, Patience) is not null, $"no answer after: {message.What}\n{kernel.Log}");
        }
        // Nothing unsigned, forged or tampered with ran: kept is still 42, in the same session.
        var (reply, iopub) = kernel.Client.Execute("kept", Patience);
        Assert.Equal("ok", Status(reply));
        Assert.Equal("42", iopub.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>());
        Assert.False(kernel.Process.HasExited);
    }

    [Fact]
    public void A_cell_that_ignores_the_interrupt_is_answered_for_and_the_reply_says_to_restart()
    {
        using var kernel = KernelProcess.Start();
        string id = kernel.Client.Send(Channel.Shell, "execute_request", new JsonObject { ["code"] = "while (true) { }", ["silent"] = false });
        WaitForIopub(kernel.Client, id, "execute_input");
        kernel.Client.Send(Channel.Control, "interrupt_request", []);
        var reply = Expect(kernel.Client.ReplyTo(id, Channel.Shell, TimeSpan.FromSeconds(30)));
        Assert.Equal("error", Status(reply));
        Assert.Contains("restart the kernel", reply.Content["evalue"]!.GetValue<string>(), StringComparison.Ordinal);

        // The kernel still answers, and says why it cannot run more code until restarted.
        string info = kernel.Client.Send(Channel.Shell, "kernel_info_request", []);
        Assert.Equal("ok", Status(kernel.Client.ReplyTo(info, Channel.Shell, Patience)));
        var (next, _) = kernel.Client.Execute("1", Patience);
        Assert.Equal("KernelBusy", next!.Content["ename"]?.GetValue<string>());
    }

    [Fact]
    public void Shutdown_with_restart_ends_the_process_and_a_new_one_serves_on_the_same_connection()
    {
        var kernel = KernelProcess.Start();
        try
        {
            Assert.Equal("ok", Status(kernel.Client.Execute("var before = 1;", Patience).Reply));
            string id = kernel.Client.Send(Channel.Control, "shutdown_request", new JsonObject { ["restart"] = true });
            var reply = Expect(kernel.Client.ReplyTo(id, Channel.Control, Patience));
            Assert.True(reply.Content["restart"]?.GetValue<bool>());
            Assert.True(kernel.Process.WaitForExit(15_000), "the kernel did not exit after shutdown_request");
            Assert.Equal(0, kernel.Process.ExitCode);

            var restarted = kernel.Restart();
            kernel.Dispose();
            kernel = restarted;
            var (fresh, _) = kernel.Client.Execute("1 + 1", Patience);
            Assert.Equal("ok", Status(fresh));
            Assert.Equal(1, fresh!.Content["execution_count"]?.GetValue<int>());
            Assert.Equal("error", Status(kernel.Client.Execute("before", Patience).Reply)); // a new session
        }
        finally
        {
            kernel.Dispose();
        }
    }

    [Fact]
    public void Completion_offers_members_after_a_dot_and_names_from_earlier_cells()
    {
        using var kernel = KernelProcess.Start();
        Assert.Equal("ok", Status(kernel.Client.Execute("var greeting = \"hello\";", Patience).Reply));

        JsonObject Complete(string code)
        {
            string id = kernel.Client.Send(Channel.Shell, "complete_request", new JsonObject { ["code"] = code, ["cursor_pos"] = code.Length });
            var reply = Expect(kernel.Client.ReplyTo(id, Channel.Shell, Patience));
            Assert.Equal("complete_reply", reply.Type);
            return reply.Content;
        }

        static List<string> Matches(JsonObject reply) => reply["matches"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();

        var literal = Complete("\"abc\".");
        Assert.Contains("Substring", Matches(literal));
        Assert.Contains("Length", Matches(literal));
        Assert.Equal(6, literal["cursor_start"]?.GetValue<int>());

        var member = Complete("greeting.Sub");
        Assert.Equal(["Substring"], Matches(member));
        Assert.Equal(9, member["cursor_start"]?.GetValue<int>());
        Assert.Equal(12, member["cursor_end"]?.GetValue<int>());

        Assert.Contains("greeting", Matches(Complete("gree")));
        Assert.Contains("Sqrt", Matches(Complete("Math.Sq")));
        Assert.Contains("display", Matches(Complete("disp")));
    }

    [Fact]
    public void Inspect_returns_the_signature_and_summary_of_the_symbol_under_the_cursor()
    {
        using var kernel = KernelProcess.Start();
        string code = "Math.Sqrt(2)";
        string id = kernel.Client.Send(Channel.Shell, "inspect_request", new JsonObject { ["code"] = code, ["cursor_pos"] = 7, ["detail_level"] = 0 });
        var reply = Expect(kernel.Client.ReplyTo(id, Channel.Shell, Patience));
        Assert.True(reply.Content["found"]?.GetValue<bool>());
        string text = reply.Content["data"]!["text/plain"]!.GetValue<string>();
        Assert.Contains("Math.Sqrt(double d)", text, StringComparison.Ordinal);
        Assert.Contains("square root", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Is_complete_tells_an_open_block_from_a_finished_statement()
    {
        using var kernel = KernelProcess.Start();
        foreach (var (code, expected) in new[] { ("for (int i = 0; i < 3; i++) {", "incomplete"), ("var x = 1;", "complete") })
        {
            string id = kernel.Client.Send(Channel.Shell, "is_complete_request", new JsonObject { ["code"] = code });
            Assert.Equal(expected, Status(kernel.Client.ReplyTo(id, Channel.Shell, Patience)));
        }
        string comm = kernel.Client.Send(Channel.Shell, "comm_info_request", []);
        Assert.Empty(Expect(kernel.Client.ReplyTo(comm, Channel.Shell, Patience)).Content["comms"]!.AsObject());
    }

    [Fact]
    public void Heartbeat_echoes_what_it_receives()
    {
        using var kernel = KernelProcess.Start();
        var payload = Guid.NewGuid().ToByteArray();
        Assert.True(kernel.Client.Heartbeat(payload, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void ReadLine_asks_the_front_end_when_allowed_and_fails_clearly_when_not()
    {
        using var kernel = KernelProcess.Start();
        var (answered, iopub) = kernel.Client.Execute("var name = Console.ReadLine();\nname.ToUpperInvariant()", Patience, input: _ => "ada");
        Assert.Equal("ok", Status(answered));
        Assert.Equal("ADA", iopub.Single(m => m.Type == "execute_result").Content["data"]!["text/plain"]!.GetValue<string>());

        var (refused, _) = kernel.Client.Execute("Console.ReadLine()", Patience);
        Assert.Equal("error", Status(refused));
        Assert.Contains("standard input", refused!.Content["evalue"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_numbers_never_reach_a_message()
    {
        using var kernel = KernelProcess.Start();
        // The client parses every message with System.Text.Json, which rejects NaN and Infinity tokens.
        var (reply, iopub) = kernel.Client.Execute(
            "Plotly.NET.CSharp.Chart.Line<double, double, string>(x: new[] { 1.0, 2, 3 }, y: new[] { 1.0, double.NaN, double.PositiveInfinity })", Patience);
        Assert.Equal("ok", Status(reply));
        var figure = iopub.Single(m => m.Type == "execute_result").Content["data"]!["application/vnd.plotly.v1+json"]!;
        var y = figure["data"]![0]!["y"]!.AsArray();
        Assert.Equal(1.0, y[0]!.GetValue<double>());
        Assert.Null(y[1]);
        Assert.Null(y[2]);
    }

    static void WaitForIopub(KernelClient client, string parent, string type)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
            if (client.Receive(Channel.IoPub, TimeSpan.FromMilliseconds(200)) is { } m && m.ParentId == parent && m.Type == type) return;
        throw new Xunit.Sdk.XunitException($"No {type} for the request within {Patience.TotalSeconds} s.");
    }
}
