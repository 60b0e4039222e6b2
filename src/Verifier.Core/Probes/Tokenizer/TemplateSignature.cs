namespace Verifier.Core.Probes.Tokenizer;

using Verifier.Core.Audits;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Evidence;

/// <summary>
/// Template overhead visible in prompt_tokens, checked once per audit on its first single-message request: a count that
/// equals exactly what a look-alike instruct template (<see cref="LookalikeTemplates"/>) renders, and no catalogued
/// template does, is evidence for a model outside the catalogue. An honest vendor gets there only if its hidden system
/// prompt happens to have exactly the look-alike's overhead: about one chance in <see cref="OverheadRange"/> (hidden
/// prompts spread over that many token counts), so the evidence is that likelihood ratio and no more.
/// Sources: detection-sources.md ("Distill chat templates differ from the base instruct models' templates").
/// </summary>
public static class TemplateSignature
{
    public const string Tier = "template";
    public const double OverheadRange = 200;

    public static ProbeOutcome? Check(ProbeInstance instance, ProbeExecution execution)
    {
        foreach (var r in execution.Responses)
        {
            if (r.Reply?.Usage?.PromptTokens is not { } reported || r.RequestIndex >= instance.Requests.Count) continue;
            var request = instance.Requests[r.RequestIndex];
            if (request.Kind != ProbeRequestKind.Chat || request.Messages is not [{ Role: "user" }]) continue;
            if (Enum.GetValues<ChatTemplateId>().Any(t => ChatTemplates.CountPromptTokens(t, request.Messages) == reported)) return null;
            var lookalike = LookalikeTemplates.All.FirstOrDefault(l => LookalikeTemplates.CountPromptTokens(l, request.Messages) == reported);
            if (lookalike is null) return null;
            var against = -Math.Log(OverheadRange);
            var ll = new Dictionary<string, double>(StringComparer.Ordinal) { [Hypothesis.UnknownId] = 0 };
            foreach (var family in Tokenization.TokenizerFamilies.All) ll[Tokenization.TokenizerFamilies.Key(family)] = against;
            return new ProbeOutcome($"template:{instance.ProbeId}", ProbeCategory.Tokenizer, Tier, "lookalike:" + lookalike.Id,
                $"prompt_tokens {reported} is exactly what the {lookalike.Id} template renders (no catalogued template does)",
                r.ExchangeSequence is { } s ? [s] : [], ll);
        }
        return null;
    }
}
