namespace Verifier.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using Verifier.Cli.Output;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Service.Audits;
using Verifier.Simulator;

/// <summary>`verifier bench service`: SIMULATION. How many targets one node keeps on schedule, its throughput, lag and storage per audit.</summary>
public static class BenchServiceCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var targets = new Option<string>("--targets") { Description = "Numbers of targets to try, comma-separated.", DefaultValueFactory = _ => "5,20" };
        var minutes = new Option<double>("--minutes") { Description = "How long each number of targets runs on each cadence.", DefaultValueFactory = _ => 2 };
        var lightCron = new Option<string>("--light-cron") { Description = "Cron of the light check (5 fields, or 6 with seconds first).", DefaultValueFactory = _ => "* * * * *" };
        var lightRequests = new Option<int>("--light-requests") { Description = "Request budget of a light check.", DefaultValueFactory = _ => 3 };
        var fullCron = new Option<string>("--full-cron") { Description = "Cron of the full audit (default budget).", DefaultValueFactory = _ => "* * * * *" };
        var cadences = new Option<string>("--cadences") { Description = "light, full or light,full.", DefaultValueFactory = _ => "light,full" };
        var scenario = new Option<string?>("--scenario") { Description = "Scenario of every simulated vendor (default: probes/scenarios/honest-deepseek-r1.json)." };
        var ttft = new Option<double>("--ttft-ms") { Description = "Mean time to first token of the simulated vendors (0: the scenario's).", DefaultValueFactory = _ => 0 };
        var workers = new Option<int?>("--workers") { Description = "Job-server workers of the node (default: the service default)." };
        var drain = new Option<double>("--drain-seconds") { Description = "After each window, how long audits already fired may take to finish.", DefaultValueFactory = _ => 120 };
        var json = CliJson.Flag();
        var quiet = CliProgress.QuietOption();
        var command = new Command("service", "SIMULATION: targets one node keeps on schedule, audits/min, p95 schedule lag, bytes per audit, per number of targets.")
        {
            db, targets, minutes, cadences, lightCron, lightRequests, fullCron, scenario, ttft, workers, drain, json, quiet,
        };
        command.SetAction((result, ct) => CliRunner.Guard(() => CliProgress.RunAsync(result, quiet, async progress =>
        {
            var cs = CommonOptions.RequireDatabase(result, db);
            var counts = ParseTargets(result.GetValue(targets)!);
            if (result.GetValue(minutes) is var m && (!double.IsFinite(m) || m <= 0 || m > 24 * 60)) throw new CliException("--minutes must be between 0 and 1440.");
            if (result.GetValue(lightRequests) is < 1 or > 10_000) throw new CliException("--light-requests must be between 1 and 10000.");
            if (result.GetValue(workers) is < 1 or > 1000) throw new CliException("--workers must be between 1 and 1000.");
            if (result.GetValue(drain) is var d && (!double.IsFinite(d) || d < 0)) throw new CliException("--drain-seconds must not be negative.");
            var chosen = new List<BenchCadence>();
            foreach (var name in result.GetValue(cadences)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                chosen.Add(name switch
                {
                    "light" => new BenchCadence("light", Cron(result.GetValue(lightCron)!, "--light-cron"), result.GetValue(lightRequests)),
                    "full" => new BenchCadence("full", Cron(result.GetValue(fullCron)!, "--full-cron"), null),
                    _ => throw new CliException($"--cadences: '{name}' is neither light nor full."),
                });
            if (chosen.Count == 0) throw new CliException("--cadences names no cadence.");
            var s = Scenario.Load(result.GetValue(scenario) ?? Path.Combine(ProbeFiles.Root, "scenarios", "honest-deepseek-r1.json"));
            if (result.GetValue(ttft) is > 0 and var ms) s = s with { Performance = (s.Performance ?? new Performance()) with { TtftMs = new Distribution(ms) } };
            var options = new ServiceBenchOptions(cs, counts, chosen, TimeSpan.FromMinutes(m), TimeSpan.FromSeconds(d), s) { Workers = result.GetValue(workers) };

            var text = !result.GetValue(json);
            if (text)
            {
                Console.WriteLine($"SIMULATION: simulated vendors (scenario {s.Name}, one per target) on 127.0.0.1; one in-process service node on the given PostgreSQL");
                foreach (var c in chosen)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"cadence {c.Name}: cron '{c.Cron}', budget {(c.MaxRequests is { } r ? $"{r} requests" : $"default ({AuditBudget.Default.MaxRequests} requests)")}, {m:0.##} min per number of targets"));
            }
            var rows = await ServiceBench.RunAsync(options, p => progress.Update("windows", $"{p.Window}/{p.Windows} done, SIMULATION {p.Message}", p.Window, p.Windows, eta: true), ct);
            progress.Done($"bench service done: {rows.Count} windows");
            if (text) Print(rows);
            else CliJson.Print(new
            {
                simulation = true, scenario = s.Name, rows,
                cadences = rows.GroupBy(r => r.Cadence).Select(g => (Group: g, Done: g.Where(r => r.Completed > 0).ToList())).Select(x => new
                {
                    cadence = x.Group.Key, cron = x.Group.First().Cron,
                    maxTargetsOnSchedule = x.Group.Where(r => r.KeptOnSchedule).Select(r => r.Targets).DefaultIfEmpty(0).Max(),
                    bytesPerAudit = Weighted(x.Done, r => r.BytesPerAudit),
                    bodyBytesPerAudit = Weighted(x.Done, r => r.BodyBytesPerAudit),
                    growthPerAudit = Weighted(x.Done, r => r.GrowthPerAudit),
                }),
            });
            return 0;
        })));
        return command;
    }

    public static void Print(IReadOnlyList<ServiceBenchRow> rows)
    {
        Console.WriteLine($"{"cadence",-8} {"targets",7} {"period-s",8} {"fires",6} {"on-time",7} {"on-schedule",11} {"p95-lag-s",9} {"max-lag-s",9} {"audits/min",10} {"completed",9} {"failed",6} {"req/audit",9} {"bytes/audit",11} {"bodies/audit",12} {"growth/audit",12}");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Cadence,-8} {r.Targets,7} {r.PeriodSeconds,8:0} {r.Fires,6} {r.FiresOnTime,7} {$"{r.TargetsOnSchedule}/{r.Targets}",11} {Lag(r.P95LagSeconds),9} {Lag(r.MaxLagSeconds),9} {r.AuditsPerMinute,10:0.0} {r.Completed,9} {r.Failed,6} {r.MeanRequests,9:0.0} {r.BytesPerAudit,11} {r.BodyBytesPerAudit,12} {r.GrowthPerAudit,12}"));
        Console.WriteLine();
        foreach (var g in rows.GroupBy(r => r.Cadence))
        {
            var kept = g.Where(r => r.KeptOnSchedule).Select(r => r.Targets).DefaultIfEmpty(0).Max();
            var tried = string.Join(',', g.Select(r => r.Targets));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"max targets on schedule per node, {g.Key} (cron '{g.First().Cron}'): {kept} (largest N tried with p95 lag below the period; tried {tried})"));
        }
        foreach (var g in rows.GroupBy(r => r.Cadence))
        {
            var done = g.Where(r => r.Completed > 0).ToList();
            if (done.Count == 0) continue;
            var what = g.Key == "light" ? "bytes per light check" : "bytes per full audit";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what}: {Weighted(done, r => r.BytesPerAudit)} stored rows, of which {Weighted(done, r => r.BodyBytesPerAudit)} raw bodies; table growth {Weighted(done, r => r.GrowthPerAudit)}"));
        }
    }

    private static long Weighted(List<ServiceBenchRow> rows, Func<ServiceBenchRow, long> value) =>
        rows.Sum(r => value(r) * r.Completed) / Math.Max(1, rows.Sum(r => r.Completed));

    private static string Lag(double? seconds) => seconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "missed";

    private static string Cron(string cron, string option) =>
        CronSchedule.TryParse(cron) is null ? throw new CliException($"{option} '{cron}' is not a cron: 5 fields, or 6 with seconds first.") : cron;

    public static IReadOnlyList<int> ParseTargets(string text)
    {
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            list.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1000 ? n
                : throw new CliException($"--targets: '{part}' is not a number of targets between 1 and 1000."));
        return list.Count > 0 ? list : throw new CliException("--targets names no number.");
    }
}
