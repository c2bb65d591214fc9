using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace LargeModel.Course.Notebooks.Tests;

/// <summary>
/// Debian's headless Chromium, driven through chromedriver (WebDriver over HTTP), for exported pages and slide decks
/// opened from files. Skips where Chromium is missing, fails in CI (the <see cref="Requires"/> rule).
/// </summary>
sealed class HeadlessChromium : IAsyncDisposable
{
    static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    readonly Process driver;
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(120) };
    readonly string work, session;

    HeadlessChromium(Process driver, string work, string session)
    {
        this.driver = driver;
        this.work = work;
        this.session = session;
    }

    public static async Task<HeadlessChromium> StartAsync(int width, int height)
    {
        string chromium = Requires.Program("chromium", "sudo apt-get install chromium", "/usr/bin/chromium");
        string chromedriver = Requires.Program("chromedriver", "sudo apt-get install chromium-driver", "/usr/bin/chromedriver");
        string work = Directory.CreateTempSubdirectory("course-chromium-").FullName;
        int port = FreePort();
        var start = new ProcessStartInfo(chromedriver) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = work };
        start.ArgumentList.Add($"--port={port}");
        var driver = Process.Start(start)!;
        driver.OutputDataReceived += (_, _) => { };
        driver.ErrorDataReceived += (_, _) => { };
        driver.BeginOutputReadLine();
        driver.BeginErrorReadLine();
        var browser = new HeadlessChromium(driver, work, "");
        string root = $"http://127.0.0.1:{port}";
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var status = await browser.http.GetAsync($"{root}/status");
                if (status.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (clock.Elapsed > StartLimit || driver.HasExited)
            {
                await browser.DisposeAsync();
                throw new Xunit.Sdk.XunitException("chromedriver did not start.");
            }
            await Task.Delay(250);
        }
        var created = await browser.Post($"{root}/session", new JsonObject
        {
            ["capabilities"] = new JsonObject
            {
                ["alwaysMatch"] = new JsonObject
                {
                    ["browserName"] = "chrome",
                    ["goog:chromeOptions"] = new JsonObject
                    {
                        ["binary"] = chromium,
                        ["args"] = new JsonArray("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                            "--disable-dev-shm-usage", "--allow-file-access-from-files", $"--window-size={width},{height}", $"--user-data-dir={Path.Combine(work, "profile")}"),
                    },
                },
            },
        });
        return new HeadlessChromium(driver, work, $"{root}/session/{created["value"]!["sessionId"]!.GetValue<string>()}");
    }

    public Task Open(string file) => Post($"{session}/url", new JsonObject { ["url"] = new Uri(file).AbsoluteUri });

    public async Task<JsonNode?> Script(string script) =>
        (await Post($"{session}/execute/sync", new JsonObject { ["script"] = script, ["args"] = new JsonArray() }))["value"];

    /// <summary>Waits until <paramref name="script"/> returns something other than null or false, and returns it.</summary>
    public async Task<JsonNode> Until(string script, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var value = await Script(script);
            if (value is not null && !(value is JsonValue v && v.TryGetValue<bool>(out bool b) && !b)) return value;
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"Gave up waiting for {what}.");
    }

    /// <summary>Presses one key as a user would (a WebDriver key action), e.g. <c>\uE014</c> for the right arrow.</summary>
    public Task Press(string key) => Post($"{session}/actions", new JsonObject
    {
        ["actions"] = new JsonArray(new JsonObject
        {
            ["type"] = "key",
            ["id"] = "keyboard",
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "keyDown", ["value"] = key }, new JsonObject { ["type"] = "keyUp", ["value"] = key }),
        }),
    });

    /// <summary>A PNG of the window, also kept in artifacts/browser/ for a person to look at.</summary>
    public async Task<byte[]> Screenshot(string name)
    {
        using var response = await http.GetAsync($"{session}/screenshot");
        var png = Convert.FromBase64String(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.GetValue<string>());
        string artifacts = Path.Combine(Repository.Root, "artifacts", "browser");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllBytesAsync(Path.Combine(artifacts, name + ".png"), png);
        return png;
    }

    async Task<JsonNode> Post(string url, JsonObject body)
    {
        // A string body has a Content-Length; chromedriver resets connections that send chunks.
        using var response = await http.PostAsync(url, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (!response.IsSuccessStatusCode) throw new Xunit.Sdk.XunitException($"WebDriver {url} failed: {json.ToJsonString()}");
        return json;
    }

    public async ValueTask DisposeAsync()
    {
        if (session.Length > 0)
        {
            try
            {
                await http.DeleteAsync(session);
            }
            catch (HttpRequestException)
            {
                // the driver is gone already
            }
        }
        if (!driver.HasExited) driver.Kill(entireProcessTree: true);
        driver.WaitForExit(10_000);
        driver.Dispose();
        http.Dispose();
        Directory.Delete(work, recursive: true);
    }

    /// <summary>A TCP port nobody listens on now, for a server a test starts.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
