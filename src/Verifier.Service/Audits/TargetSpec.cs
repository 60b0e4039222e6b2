namespace Verifier.Service.Audits;

using Verifier.Core.Audits;
using Verifier.Core.Security;
using Verifier.Storage;
using Verifier.Targets.Http;

/// <summary>What to audit: an OpenAI-compatible endpoint or a local ONNX model file, from a stored target or CLI options.</summary>
public sealed record TargetSpec(TargetKind Kind, TargetEndpoint? Endpoint = null, string? ModelPath = null)
{
    public static TargetSpec From(TargetRow target, SecretBox secrets) => target.Kind == TargetKind.Onnx
        ? new(TargetKind.Onnx, ModelPath: target.Path)
        : new(TargetKind.OpenAi, new TargetEndpoint(new Uri(target.BaseUrl!), target.Model!, Dialects.Parse(target.Dialect ?? "vllm"),
            target.ApiKeyCipher is null ? null : secrets.Open(target.ApiKeyCipher)));

    public override string ToString() => Kind == TargetKind.Onnx ? $"local ONNX model {ModelPath}" : Endpoint!.ToString();
}
