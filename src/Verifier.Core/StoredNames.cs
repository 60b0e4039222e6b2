namespace Verifier.Core;

/// <summary>The one naming of enum values outside the process (database, API, CLI): the lower-case member name.</summary>
public static class StoredNames
{
    public static string Of<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Of).ToList();

    /// <summary>Exactly one of <see cref="All{T}"/> (no numbers, no other casing).</summary>
    public static T Parse<T>(string name) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>()) if (Of(value) == name) return value;
        throw new ArgumentException($"'{name}' is not one of {string.Join(", ", All<T>())}.", nameof(name));
    }
}
