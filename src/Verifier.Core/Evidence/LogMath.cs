namespace Verifier.Core.Evidence;

/// <summary>Numerically stable log-space helpers (posteriors are kept as log weights to survive hundreds of updates).</summary>
public static class LogMath
{
    public static double LogSumExp(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values) if (v > max) max = v;
        if (double.IsNegativeInfinity(max)) return double.NegativeInfinity;
        var sum = 0.0;
        foreach (var v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    public static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    /// <summary>Normalises log weights into probabilities that sum to 1.</summary>
    public static double[] Normalize(ReadOnlySpan<double> logWeights)
    {
        // Shift by the max (not by the log-sum): exp(0) stays exact, so large magnitudes lose no precision.
        var max = double.NegativeInfinity;
        foreach (var v in logWeights) if (v > max) max = v;
        var p = new double[logWeights.Length];
        if (double.IsNegativeInfinity(max)) { Array.Fill(p, 1.0 / p.Length); return p; }
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++) sum += p[i] = Math.Exp(logWeights[i] - max);
        for (var i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>Shannon entropy in nats of a probability vector.</summary>
    public static double Entropy(ReadOnlySpan<double> p)
    {
        var h = 0.0;
        foreach (var x in p) if (x > 0) h -= x * Math.Log(x);
        return h;
    }
}
