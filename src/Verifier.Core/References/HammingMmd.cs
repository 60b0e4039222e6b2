namespace Verifier.Core.References;

/// <summary>Result of a two-sample test: the observed statistic and its permutation p-value.</summary>
public sealed record TwoSampleResult(double Statistic, double PValue, int Permutations);

/// <summary>
/// Two-sample test on output sequences: unbiased MMD² with the Hamming kernel k(x, y) = (1/L)·Σ_i 1[x_i = y_i] over
/// sequences truncated/padded to length L (as in "Model Equality Testing", Gao, Liang &amp; Guestrin), with a seeded
/// permutation test. Used to tell a precision or quantization from reference samples of the same prompts.
/// </summary>
public static class HammingMmd
{
    private const int Pad = -1;

    /// <summary>Character sequence of a text (UTF-16 code units); token ids work the same via <see cref="Test"/>.</summary>
    public static int[] Characters(string text) => text.Select(c => (int)c).ToArray();

    public static TwoSampleResult TestTexts(IReadOnlyList<string> x, IReadOnlyList<string> y, int length, int permutations, Random random) =>
        Test(x.Select(Characters).ToList(), y.Select(Characters).ToList(), length, permutations, random);

    public static TwoSampleResult Test(IReadOnlyList<int[]> x, IReadOnlyList<int[]> y, int length, int permutations, Random random)
    {
        if (x.Count < 2 || y.Count < 2) throw new ArgumentException("Each sample needs at least two sequences.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var pooled = x.Concat(y).Select(s => Fit(s, length)).ToArray();
        var n = pooled.Length;
        var kernel = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = i; j < n; j++)
                kernel[i, j] = kernel[j, i] = Hamming(pooled[i], pooled[j]);

        var labels = new bool[n];
        for (var i = 0; i < x.Count; i++) labels[i] = true;
        var observed = Statistic(kernel, labels);
        var atLeast = 0;
        var perm = (bool[])labels.Clone();
        for (var b = 0; b < permutations; b++)
        {
            random.Shuffle(perm);
            if (Statistic(kernel, perm) >= observed) atLeast++;
        }
        return new TwoSampleResult(observed, (1.0 + atLeast) / (1.0 + permutations), permutations);
    }

    private static int[] Fit(int[] s, int length)
    {
        var fitted = new int[length];
        for (var i = 0; i < length; i++) fitted[i] = i < s.Length ? s[i] : Pad;
        return fitted;
    }

    private static double Hamming(int[] a, int[] b)
    {
        var same = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] == b[i]) same++;
        return (double)same / a.Length;
    }

    /// <summary>Unbiased MMD²: mean k within X (i≠j) + mean k within Y (i≠j) − 2·mean k across.</summary>
    private static double Statistic(double[,] k, bool[] inX)
    {
        double xx = 0, yy = 0, xy = 0;
        long nx = 0, ny = 0;
        var n = inX.Length;
        for (var i = 0; i < n; i++) if (inX[i]) nx++; else ny++;
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
            {
                if (inX[i] && inX[j]) xx += k[i, j];
                else if (!inX[i] && !inX[j]) yy += k[i, j];
                else xy += k[i, j];
            }
        return 2 * xx / (nx * (nx - 1)) + 2 * yy / (ny * (ny - 1)) - 2 * xy / (nx * ny);
    }
}
