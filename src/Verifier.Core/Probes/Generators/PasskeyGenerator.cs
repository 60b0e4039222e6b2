namespace Verifier.Core.Probes.Generators;

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Verifier.Core.Chat;

/// <summary>
/// Long-context retrieval: a pass key hidden at a seeded depth in generated filler. Tiers set the length
/// (t1 ≈ 2K, t2 ≈ 8K, t3 ≈ 32K tokens); the estimate charges the whole prompt, so the engine weighs its price.
/// </summary>
public sealed partial class PasskeyGenerator : MathGenerator
{
    private static readonly string[] Filler =
    [
        "The grass is green. ", "The sky is blue. ", "The sun is yellow. ", "Here we go. ", "There and back again. ",
    ];

    public override string Id => "longcontext.passkey";
    public override ProbeCategory Category => ProbeCategory.LongContext;
    public override IReadOnlyList<string> Tiers => ["t1", "t2", "t3"];
    protected override Regex Pattern => Rx();

    public static int Sentences(string tier) => tier switch { "t1" => 400, "t2" => 1600, _ => 6400 };

    public override ProbeInstance Generate(int seed, string tier, int maxTokens)
    {
        var instance = base.Generate(seed, tier, maxTokens);
        return instance with { EstimatedTokens = Sentences(tier) * 5 + maxTokens / 2 };
    }

    protected override (string, string) Make(Random r, string tier)
    {
        var key = r.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture);
        var n = Sentences(tier);
        var at = r.Next(n / 10, n - n / 10);
        var sb = new StringBuilder($"There is a pass key hidden in this text ({n} sentences). Find it and remember it.\n");
        for (var i = 0; i < n; i++)
        {
            if (i == at) sb.Append(CultureInfo.InvariantCulture, $"The pass key is {key}. Remember it. {key} is the pass key. ");
            sb.Append(Filler[i % Filler.Length]);
        }
        sb.Append("\nWhat is the pass key?");
        return (sb.ToString(), key);
    }

    protected override (string, string)? Solve(Match m) =>
        (int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) switch { <= 400 => "t1", <= 1600 => "t2", _ => "t3" }, m.Groups["key"].Value);

    [GeneratedRegex(@"^There is a pass key hidden in this text \((?<n>\d+) sentences\)\.(?s:.*?)The pass key is (?<key>\d+)\.")]
    private static partial Regex Rx();
}
