namespace Verifier.Storage;

using System.Text.Json;

/// <summary>The one JSON shape of the jsonb columns (budgets, posteriors, results): web defaults, camelCase.</summary>
public static class StoredJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
