namespace Verifier.Targets.Onnx.Generation;

/// <summary>Picks the next token from a logits row: argmax, or temperature → top-k → top-p (nucleus) sampling.</summary>
public static class TokenSampler
{
    public static int Pick(ReadOnlySpan<float> logits, GenerationSettings s, Random random)
    {
        if (!s.Sample || s.Temperature <= 0) return ArgMax(logits);
        // Candidates sorted by logit (desc, then id for determinism); softmax over the scaled logits.
        var order = new int[logits.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var copy = logits.ToArray();
        Array.Sort(order, (a, b) => copy[b] != copy[a] ? copy[b].CompareTo(copy[a]) : a.CompareTo(b));
        var keep = s.TopK > 0 ? Math.Min(s.TopK, order.Length) : order.Length;
        var max = copy[order[0]];
        var probs = new double[keep];
        double sum = 0;
        for (var i = 0; i < keep; i++) sum += probs[i] = Math.Exp((copy[order[i]] - max) / s.Temperature);
        var cut = keep;
        if (s.TopP < 1.0)
        {
            double acc = 0;
            for (var i = 0; i < keep; i++)
            {
                acc += probs[i] / sum;
                if (acc >= s.TopP) { cut = i + 1; break; }
            }
        }
        double total = 0;
        for (var i = 0; i < cut; i++) total += probs[i];
        var u = random.NextDouble() * total;
        for (var i = 0; i < cut; i++)
        {
            u -= probs[i];
            if (u < 0) return order[i];
        }
        return order[cut - 1];
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
