namespace Verifier.Targets.Onnx.Tests;

/// <summary>Locates the shared test models (../shared/models from the repository, or VERIFIER_TEST_MODELS).</summary>
public static class TestModels
{
    public static string Root { get; } = Locate();

    public static string TinyLlama => Path.Combine(Root, "tiny-random-llama");
    public static string Gpt2Folder => Path.Combine(Root, "tiny-random-gpt2");
    public static string Gpt2 => Path.Combine(Gpt2Folder, "past.onnx");

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("VERIFIER_TEST_MODELS");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(d.FullName, "tests", "data", "models"), Path.Combine(d.FullName, "shared", "models") })
                if (Directory.Exists(Path.Combine(candidate, "tiny-random-gpt2"))) return candidate;
        }
        throw new DirectoryNotFoundException("Test models not found: set VERIFIER_TEST_MODELS to the folder holding tiny-random-gpt2 and tiny-random-llama.");
    }
}
