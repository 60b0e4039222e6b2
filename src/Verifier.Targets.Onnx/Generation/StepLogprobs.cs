namespace Verifier.Targets.Onnx.Generation;

/// <summary>One generation step's log probabilities (log-softmax of the raw logits): the chosen id's and the top-k ids', most likely first.</summary>
public sealed record StepLogprobs(double Chosen, IReadOnlyList<(int Id, double Logprob)> Top);
