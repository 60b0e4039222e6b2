namespace Verifier.Cli.Tests;

using System.Text.Json;
using Verifier.Core.Catalog;
using Verifier.Simulator;

/// <summary>`--json`: one JSON document on standard output with camelCase names; errors stay a message on standard error.</summary>
public sealed class CliJsonTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    // The audit-log key the CLI signs entries with when it writes to the database (keys, stored audits, prune).
    private static readonly Dictionary<string, string> Quiet = new() { ["VERIFIER_AUDIT_LOG_KEY"] = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)i).ToArray()) };

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private static async Task<JsonElement> Json(params string[] args)
    {
        var (code, stdout, err) = await CliProcess.Run(null, Quiet, args);
        Assert.True(code == 0, $"{string.Join(' ', args)}: exit {code}: {err}");
        using var doc = JsonDocument.Parse(stdout); // one document, nothing else on stdout
        return doc.RootElement.Clone();
    }

    private static async Task<(int Code, string Out, string Err)> Fails(params string[] args) => await CliProcess.Run(null, Quiet, args);

    private static Scenario Load(string name) => Scenario.Load(Path.Combine(ProbeFiles.Root, "scenarios", name));

    [Fact]
    public async Task Keys_prune_rescore_and_reference_commands_print_json()
    {
        var db = database.ConnectionString;
        var created = await Json("keys", "create", "--role", "viewer", "--name", "ci", "--db", db, "--json");
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("viewer", created.GetProperty("role").GetString());
        Assert.Equal("ci", created.GetProperty("name").GetString());
        Assert.True(created.GetProperty("key").GetString()!.Length >= 20);
        Assert.True(created.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10));

        var listed = (await Json("keys", "list", "--db", db, "--json")).GetProperty("keys").EnumerateArray().Single();
        Assert.Equal(id, listed.GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
        Assert.False(listed.TryGetProperty("key", out _)); // never the key itself

        var revoked = await Json("keys", "revoke", id.ToString(), "--db", db, "--json");
        Assert.True(revoked.GetProperty("revoked").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, (await Json("keys", "list", "--db", db, "--json")).GetProperty("keys")[0].GetProperty("revokedAt").ValueKind);

        // A stored audit, rescored.
        await using (var vendor = await SimulatedVendor.StartAsync(Load("distill-llama-8b-as-r1.json")))
        {
            var (code, stdout, err) = await CliProcess.Run(null, Quiet, "audit", "--endpoint", vendor.BaseUrl.ToString(), "--model", "deepseek-reasoner", "--claimed", "deepseek-r1",
                "--max-requests", "6", "--allow-host", "127.0.0.1", "--db", db, "--json", "--quiet");
            Assert.True(code == 1, $"exit {code}: {err}");
            var auditId = JsonDocument.Parse(stdout).RootElement.GetProperty("auditId").GetString()!;
            var rescored = await Json("rescore", auditId, "--db", db, "--json");
            Assert.Equal(auditId, rescored.GetProperty("auditId").GetString());
            Assert.True(rescored.GetProperty("identical").GetBoolean());
            Assert.Equal("mismatch", rescored.GetProperty("stored").GetProperty("verdict").GetString());
            Assert.Equal("mismatch", rescored.GetProperty("rescored").GetProperty("verdict").GetString());
            Assert.Equal(JsonValueKind.Null, rescored.GetProperty("firstDifference").ValueKind);
        }

        var pruned = await Json("prune", "--older-than", "0", "--db", db, "--json");
        Assert.Equal(1, pruned.GetProperty("audits").GetInt32());
        Assert.True(pruned.GetProperty("exchanges").GetInt32() >= 6);
        Assert.True(pruned.GetProperty("bytesFreed").GetInt64() > 0);
        Assert.True(pruned.TryGetProperty("finishedBefore", out _));

        // A reference run recorded from an honest simulated deployment; its progress names the run and the requests.
        var bundle = Path.Combine(Path.GetTempPath(), $"ref-{Guid.NewGuid():N}.json");
        await using (var honest = await SimulatedVendor.StartAsync(Load("honest-r1-distill-llama-8b.json")))
        {
            var (code, stdout, err) = await CliProcess.Run(null, new Dictionary<string, string>(Quiet) { ["VERIFIER_PROGRESS_SECONDS"] = "0" },
                "reference", "record", "--variant", "r1-distill-llama-8b", "--endpoint", honest.BaseUrl.ToString(), "--runs", "1", "--out", bundle, "--json");
            Assert.True(code == 0, err);
            var recorded = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal("r1-distill-llama-8b", recorded.GetProperty("build").GetString());
            Assert.Equal(bundle, recorded.GetProperty("path").GetString());
            Assert.True(recorded.GetProperty("outcomes").GetInt32() > 0);
            Assert.False(recorded.GetProperty("stored").GetBoolean());
            Assert.Matches(@"(?m)^progress: run 1/1: r1-distill-llama-8b, probe 1/\d+, \d+ requests, \d+s elapsed$", err); // no ETA before a second probe
            Assert.Contains("progress: recorded r1-distill-llama-8b: 1 runs, ", err, StringComparison.Ordinal);
        }
        var imported = await Json("reference", "import", bundle, "--db", db, "--json");
        Assert.Equal(1, imported.GetProperty("runs").GetInt32());
        Assert.False(string.IsNullOrEmpty(imported.GetProperty("suiteVersion").GetString()));
        var exported = await Json("reference", "export", "--out", bundle + ".out", "--db", db, "--json");
        Assert.Equal(1, exported.GetProperty("runs").GetInt32());
        Assert.True(File.Exists(bundle + ".out"));

        // Bad values: a message on stderr, nothing on stdout, exit 3.
        foreach (var args in new[]
        {
            new[] { "prune", "--older-than", "-1", "--db", db, "--json" },
            ["keys", "revoke", "not-a-uuid", "--db", db, "--json"],
            ["rescore", Guid.NewGuid().ToString(), "--db", db, "--json"],
            ["keys", "create", "--role", "root", "--name", "x", "--db", db, "--json"],
            ["bench", "accuracy", "--scenarios", "/nonexistent", "--json"],
            ["audit", "--endpoint", "http://127.0.0.1:1/", "--claimed", "deepseek-r1", "--max-requests", "0", "--json"],
        })
        {
            var (code, stdout, err) = await Fails(args);
            Assert.True(code == 3, $"{string.Join(' ', args)}: exit {code}");
            Assert.Equal("", stdout);
            Assert.StartsWith("error: ", err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bench_demo_and_simulate_print_json()
    {
        var gpt2 = Path.Combine(CliProcess.RepositoryRoot(), "tests", "data", "models", "tiny-random-gpt2");
        var onnx = await Json("bench", "onnx", gpt2, "--tokens", "4", "--rounds", "1", "--json");
        var generation = onnx.GetProperty("generation");
        Assert.True(generation.GetProperty("generationTokensPerSecond").GetDouble() > 0);
        Assert.True(generation.GetProperty("bareRunTokensPerSecond").GetDouble() > 0);
        Assert.True(generation.TryGetProperty("overheadPercent", out _));
        Assert.Equal(JsonValueKind.Null, onnx.GetProperty("shapes").ValueKind);

        var text = Path.GetTempFileName();
        await File.WriteAllTextAsync(text, string.Concat(Enumerable.Repeat("The vendor's model answers 12345 questions. 模型推理。\n", 200)));
        var tokenizer = await Json("bench", "tokenizer", "--text", text, "--json");
        Assert.Equal(3, tokenizer.GetProperty("families").GetArrayLength());
        foreach (var f in tokenizer.GetProperty("families").EnumerateArray())
        {
            Assert.True(f.GetProperty("tokens").GetInt64() > 0);
            Assert.True(f.GetProperty("megabytesPerSecond").GetDouble() > 0);
            Assert.True(f.TryGetProperty("ratio", out _) && f.TryGetProperty("belowTarget", out _));
        }

        var scenario = Path.Combine(ProbeFiles.Root, "scenarios", "distill-llama-8b-as-r1.json");
        var noReferences = Directory.CreateTempSubdirectory("no-references-").FullName;
        var accuracy = await Json("bench", "accuracy", "--scenarios", scenario, "--max-requests", "6", "--references", noReferences, "--json");
        Assert.True(accuracy.GetProperty("simulation").GetBoolean());
        Assert.Equal("distill-llama-8b-as-r1", accuracy.GetProperty("rows")[0].GetProperty("scenario").GetString());
        Assert.Equal(1, accuracy.GetProperty("totals").GetProperty("audits").GetInt32());
        // --json FILE keeps the table on stdout as before.
        var file = Path.GetTempFileName();
        var (code, stdout, err) = await CliProcess.Run(null, null, "bench", "accuracy", "--scenarios", scenario, "--max-requests", "6", "--references", noReferences, "--json", file, "--quiet");
        Assert.True(code == 0, err);
        Assert.StartsWith("SIMULATION: 1 scenarios x 1", stdout, StringComparison.Ordinal);
        Assert.Equal(1, JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement.GetProperty("totals").GetProperty("audits").GetInt32());

        var demo = await CliProcess.Run(null, null, "demo", "--record-references", "0", "--json");
        Assert.True(demo.Code is 1 or 2, demo.Err);
        var report = JsonDocument.Parse(demo.Out).RootElement;
        Assert.Equal("demo", report.GetProperty("auditId").GetString());
        Assert.StartsWith("SIMULATION", report.GetProperty("banner").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_service_prints_json_rows_and_per_cadence_figures()
    {
        var service = await Json("bench", "service", "--db", database.ConnectionString, "--targets", "1", "--cadences", "light", "--light-cron", "*/3 * * * * *",
            "--minutes", "0.12", "--drain-seconds", "30", "--json");
        Assert.True(service.GetProperty("simulation").GetBoolean());
        var row = service.GetProperty("rows").EnumerateArray().Single();
        Assert.Equal("light", row.GetProperty("cadence").GetString());
        Assert.Equal(1, row.GetProperty("targets").GetInt32());
        Assert.True(row.GetProperty("completed").GetInt32() >= 1);
        var cadence = service.GetProperty("cadences").EnumerateArray().Single();
        Assert.InRange(cadence.GetProperty("maxTargetsOnSchedule").GetInt32(), 0, 1);
        Assert.True(cadence.GetProperty("bytesPerAudit").GetInt64() > 0);
    }
}
