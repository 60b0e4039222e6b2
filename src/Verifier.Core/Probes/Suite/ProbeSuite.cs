namespace Verifier.Core.Probes.Suite;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Probes.Generators;

public sealed record ProbeSpec(string Generator, string Tier, int Count, int MaxTokens);

/// <summary>
/// The probe suite (probes/suite/suite.json): which generators, tiers and how many candidates an audit draws. Its
/// version and content hash (file bytes + generator code version) are recorded with every audit, so a verdict can
/// be traced to the exact questions and rescoring can regenerate them from their seeds.
/// </summary>
public sealed class ProbeSuite
{
    /// <summary>Bump when a generator's prompts, answers or scoring change: it is part of the content hash.</summary>
    public const string GeneratorCodeVersion = "generators-5";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    private ProbeSuite(string version, IReadOnlyList<ProbeSpec> specs, string hash) { Version = version; Specs = specs; ContentHash = hash; }

    public string Version { get; }
    public IReadOnlyList<ProbeSpec> Specs { get; }
    public string ContentHash { get; }

    public static ProbeSuite Default => LazyDefault.Value;
    private static readonly Lazy<ProbeSuite> LazyDefault = new(() => Load(ProbeFiles.Require(Path.Combine("suite", "suite.json"))));

    public static ProbeSuite Load(string path) => Parse(File.ReadAllBytes(path), path);

    public static ProbeSuite Parse(byte[] bytes, string name = "suite.json")
    {
        SuiteFile file;
        try
        {
            file = JsonSerializer.Deserialize<SuiteFile>(bytes, Json) ?? throw new InvalidDataException($"{name}: empty suite.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(file.Version)) problems.Add("version: must not be empty");
        if (file.Probes is not { Count: > 0 }) problems.Add("probes: at least one probe is needed");
        for (var i = 0; i < (file.Probes?.Count ?? 0); i++)
        {
            var p = file.Probes![i];
            var generator = ProbeGenerators.Find(p.Generator ?? "");
            if (generator is null) problems.Add($"probes[{i}].generator: unknown generator '{p.Generator}' (known: {string.Join(", ", ProbeGenerators.All.Select(g => g.Id))})");
            else if (!generator.Tiers.Contains(p.Tier)) problems.Add($"probes[{i}].tier: '{p.Tier}' is not a tier of {p.Generator} ({string.Join(", ", generator.Tiers)})");
            if (p.Count is < 1 or > 500) problems.Add($"probes[{i}].count: must be between 1 and 500");
            if (p.MaxTokens is < 0 or > 65536) problems.Add($"probes[{i}].maxTokens: must be between 0 and 65536");
        }
        if (problems.Count > 0) throw new InvalidDataException($"{name}: {string.Join("; ", problems)}");
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. bytes, .. Encoding.UTF8.GetBytes("|" + GeneratorCodeVersion)]));
        return new ProbeSuite(file.Version, file.Probes!, hash);
    }

    /// <summary>Candidate instances for one audit: fresh seeds derived from the audit seed, so nothing can be cached.</summary>
    public IReadOnlyList<ProbeInstance> Candidates(int auditSeed)
    {
        var list = new List<ProbeInstance>();
        for (var i = 0; i < Specs.Count; i++)
        {
            var spec = Specs[i];
            var generator = ProbeGenerators.Find(spec.Generator)!;
            for (var j = 0; j < spec.Count; j++)
                list.Add(generator.Generate(generator.IsFixedSet ? j : SeedFor(auditSeed, i, j), spec.Tier, spec.MaxTokens));
        }
        return list;
    }

    public AuditPlan Plan(string claimedBuild, AuditBudget budget, int auditSeed, VariantCatalog? catalog = null) =>
        new(claimedBuild, catalog ?? VariantCatalog.Default, Candidates(auditSeed), budget, Version, ContentHash) { Predictor = Predict };

    /// <summary>Outcome distributions of the deterministic probes per variant, for ranking candidates by expected information.</summary>
    public static IReadOnlyDictionary<string, double>? Predict(ProbeInstance instance, Variant variant) => instance.Category switch
    {
        ProbeCategory.Tokenizer => new Dictionary<string, double> { ["family:" + variant.Tokenizer] = 1.0 },
        ProbeCategory.Behaviour => ReasoningStyleGenerator.Expected(variant),
        // Under any one model both answers of a self-consistency pair agree (a mixture's split pair is the selection's "other").
        ProbeCategory.Fingerprint when instance.Tier == Fingerprint.FingerprintProbe.RepeatTier => new Dictionary<string, double> { [Fingerprint.FingerprintProbe.RepeatSameOutcome] = 1.0 },
        // Each variant's weights answer the fingerprint their own way (variants without a reference tell nothing, a small over-estimate).
        ProbeCategory.Fingerprint => new Dictionary<string, double> { ["weights:" + variant.Id] = 1.0 },
        _ => null,
    };

    /// <summary>The instance a stored probe record came from (same generator, seed and tier).</summary>
    public ProbeInstance Regenerate(ProbeRecord record)
    {
        var generator = ProbeGenerators.Find(record.GeneratorId) ?? throw new InvalidDataException($"unknown generator '{record.GeneratorId}'");
        var spec = Specs.FirstOrDefault(s => s.Generator == record.GeneratorId && s.Tier == record.Tier) ?? throw new InvalidDataException($"the suite has no {record.GeneratorId}/{record.Tier}");
        return generator.Generate(record.Seed, record.Tier, spec.MaxTokens);
    }

    public static ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution) =>
        (ProbeGenerators.Find(instance.GeneratorId) ?? throw new InvalidDataException($"unknown generator '{instance.GeneratorId}'")).Score(instance, execution);

    private static int SeedFor(int auditSeed, int spec, int index) => (int)(((uint)auditSeed * 2654435761u) ^ ((uint)spec * 40503u) ^ ((uint)index * 97u + 17u)) & int.MaxValue;

    private sealed record SuiteFile(
        [property: JsonPropertyName("$schema")] string? Schema, string Version, string? Description, IReadOnlyList<ProbeSpec>? Probes);
}
