namespace Verifier.Core.Tests.References;

using Verifier.Core.References;

public class HammingMmdTests
{
    /// <summary>Sequences over a small alphabet; "shift" raises the chance of token 0 at every position (a quantization-like drift).</summary>
    private static List<int[]> Sample(Random r, int n, int length, double shift)
    {
        var list = new List<int[]>();
        for (var i = 0; i < n; i++)
        {
            var s = new int[length];
            for (var j = 0; j < length; j++) s[j] = r.NextDouble() < 0.25 + shift ? 0 : 1 + r.Next(3);
            list.Add(s);
        }
        return list;
    }

    [Fact]
    public void Same_distribution_rejects_at_about_alpha()
    {
        var data = new Random(1);
        var rejects = 0;
        const int trials = 200;
        for (var t = 0; t < trials; t++)
        {
            var p = HammingMmd.Test(Sample(data, 20, 10, 0), Sample(data, 20, 10, 0), 10, 99, new Random(t)).PValue;
            if (p <= 0.05) rejects++;
        }
        Assert.InRange(rejects, 2, 22); // 5 % of 200 = 10; binomial 99.9 % band
    }

    [Fact]
    public void Shifted_distribution_is_detected_with_high_power()
    {
        var data = new Random(2);
        var rejects = 0;
        const int trials = 50;
        for (var t = 0; t < trials; t++)
        {
            var p = HammingMmd.Test(Sample(data, 30, 20, 0), Sample(data, 30, 20, 0.2), 20, 199, new Random(t)).PValue;
            if (p <= 0.05) rejects++;
        }
        Assert.True(rejects >= 45, $"power {rejects}/{trials}");
    }

    [Fact]
    public void Texts_work_and_the_p_value_is_reproducible_with_a_seed()
    {
        string[] a = ["The answer is 42.", "The answer is 42!", "So the answer is 42.", "The answer: 42."];
        string[] b = ["Answer = 17", "It equals 17", "17 it is", "Result: 17"];
        var p1 = HammingMmd.TestTexts(a, b, 16, 200, new Random(5));
        var p2 = HammingMmd.TestTexts(a, b, 16, 200, new Random(5));
        Assert.Equal(p1, p2);
        Assert.True(p1.Statistic > 0);
        Assert.InRange(p1.PValue, 1.0 / 201, 1);
    }
}
