using System.Diagnostics;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Tests.Kernel;

/// <summary>
/// A real browser: Debian's classic Jupyter Notebook server on 127.0.0.1 with our kernelspec, headless Debian
/// Chromium driven through chromedriver (WebDriver over HTTP), "Run All" on a notebook, then the rendered page is
/// checked for a drawn Plotly chart, and a screenshot is kept in artifacts/browser/.
/// </summary>
[Collection(nameof(KernelProcesses))]
public class BrowserTests
{
    static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90), RunLimit = TimeSpan.FromMinutes(5);

    [SkippableFact]
    public async Task Run_all_in_classic_Jupyter_Notebook_draws_the_Plotly_chart()
    {
        string jupyter = Requires.Program("jupyter-notebook", "sudo apt-get install jupyter-notebook", "/usr/bin/jupyter-notebook");
        string chromium = Requires.Program("chromium", "sudo apt-get install chromium", "/usr/bin/chromium");
        string chromedriver = Requires.Program("chromedriver", "sudo apt-get install chromium-driver", "/usr/bin/chromedriver");

        // 00-setup.ipynb when the lessons are there, else the kernel's own smoke notebook; always a copy, so nothing is saved into the repository.
        string lesson = Path.Combine(Course.RepositoryRoot, "notebooks", "00-setup.ipynb");
        string source = File.Exists(lesson) ? lesson : Path.Combine(Course.KernelTests, "Notebooks", "kernel-smoke.ipynb");
        string work = Directory.CreateTempSubdirectory("course-browser-").FullName;
        string root = Path.Combine(work, "root");
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        File.Copy(source, Path.Combine(root, "notebooks", Path.GetFileName(source)));
        foreach (var shared in new[] { "assets", "data" })
            if (Directory.Exists(Path.Combine(Course.RepositoryRoot, shared))) Directory.CreateSymbolicLink(Path.Combine(root, shared), Path.Combine(Course.RepositoryRoot, shared));

        var environment = new Dictionary<string, string>
        {
            ["JUPYTER_DATA_DIR"] = Path.Combine(work, "data"),
            ["JUPYTER_CONFIG_DIR"] = Path.Combine(work, "config"),
            ["JUPYTER_RUNTIME_DIR"] = Path.Combine(work, "runtime"),
            ["HOME"] = work,
        };
        var (installed, installOutput) = Course.Run(environment, "kernel", "install");
        Assert.True(installed == 0, installOutput);

        string token = Guid.NewGuid().ToString("N");
        int notebookPort = HeadlessChromium.FreePort(), driverPort = HeadlessChromium.FreePort();
        using var server = Start(jupyter, ["--no-browser", "--allow-root", "--ip=127.0.0.1", $"--port={notebookPort}", "--port-retries=0",
            $"--NotebookApp.token={token}", $"--notebook-dir={root}", "--NotebookApp.disable_check_xsrf=False"], environment, work);
        using var driver = Start(chromedriver, [$"--port={driverPort}"], environment, work);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        try
        {
            string baseUrl = $"http://127.0.0.1:{notebookPort}";
            await Until(async () => (await Get(http, $"{baseUrl}/api/status?token={token}")) is not null, StartLimit, "the notebook server to answer", server);
            string webDriver = $"http://127.0.0.1:{driverPort}";
            await Until(async () => (await Get(http, $"{webDriver}/status"))?["value"]?["ready"]?.GetValue<bool>() == true, StartLimit, "chromedriver to be ready", driver);

            var created = await Post(http, $"{webDriver}/session", new JsonObject
            {
                ["capabilities"] = new JsonObject
                {
                    ["alwaysMatch"] = new JsonObject
                    {
                        ["browserName"] = "chrome",
                        ["goog:chromeOptions"] = new JsonObject
                        {
                            ["binary"] = chromium,
                            ["args"] = new JsonArray("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1600", $"--user-data-dir={Path.Combine(work, "chromium")}"),
                        },
                    },
                },
            });
            string session = created["value"]!["sessionId"]!.GetValue<string>();
            string at = $"{webDriver}/session/{session}";
            try
            {
                await Post(http, $"{at}/url", new JsonObject { ["url"] = $"{baseUrl}/notebooks/notebooks/{Path.GetFileName(source)}?token={token}" });
                await Until(async () => IsTrue(await Script(http, at, "return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected());")),
                    StartLimit, "the notebook page to connect to the kernel", server);
                await Script(http, at, "Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.execute_all_cells(); return true;");
                const string finished = "var cells = Jupyter.notebook.get_cells().filter(function (c) { return c.cell_type === 'code'; });" +
                    " return cells.every(function (c) { return typeof c.input_prompt_number === 'number'; }) && !Jupyter.notebook.kernel_busy;";
                await Until(async () => IsTrue(await Script(http, at, finished)), RunLimit, "every cell to finish", server);
                // Plotly draws asynchronously after the output is attached.
                await Until(async () => await Script(http, at, "return document.querySelectorAll('.js-plotly-plot .main-svg').length;") is JsonValue v && v.GetValue<int>() > 0,
                    TimeSpan.FromSeconds(30), "the Plotly chart to be drawn", server);

                string? screenshot = (await Get(http, $"{at}/screenshot"))?["value"]?.GetValue<string>();
                Assert.NotNull(screenshot);
                string artifacts = Path.Combine(Course.RepositoryRoot, "artifacts", "browser");
                Directory.CreateDirectory(artifacts);
                await File.WriteAllBytesAsync(Path.Combine(artifacts, Path.GetFileNameWithoutExtension(source) + ".png"), Convert.FromBase64String(screenshot));

                Assert.Equal(0, (await Script(http, at, "return document.querySelectorAll('.output_error').length;"))!.GetValue<int>());
                Assert.True((await Script(http, at, "return document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length;"))!.GetValue<int>() > 0, "the chart has no drawn trace");
            }
            finally
            {
                await http.DeleteAsync(at);
            }
        }
        finally
        {
            Stop(driver);
            Stop(server);
            Directory.Delete(work, recursive: true);
        }
    }

    static Process Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string folder)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static void Stop(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    static async Task Until(Func<Task<bool>> condition, TimeSpan limit, string what, Process watched)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (watched.HasExited) throw new Xunit.Sdk.XunitException($"Waiting for {what}, but {watched.StartInfo.FileName} exited with {watched.ExitCode}.");
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(250);
        }
        throw new Xunit.Sdk.XunitException($"Gave up waiting for {what} after {limit.TotalSeconds:0} s.");
    }

    static async Task<JsonNode?> Get(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    static async Task<JsonNode> Post(HttpClient http, string url, JsonObject body)
    {
        // A string body has a Content-Length; chromedriver resets connections that send chunks.
        using var response = await http.PostAsync(url, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (!response.IsSuccessStatusCode) throw new Xunit.Sdk.XunitException($"WebDriver {url} failed: {json.ToJsonString()}");
        return json;
    }

    static async Task<JsonNode?> Script(HttpClient http, string session, string script) =>
        (await Post(http, $"{session}/execute/sync", new JsonObject { ["script"] = script, ["args"] = new JsonArray() }))["value"];

    static bool IsTrue(JsonNode? value) => value is JsonValue v && v.TryGetValue<bool>(out bool b) && b;
}
