namespace Verifier.Storage;

/// <summary>Where a stored audit is in its life; stored (and shown in the API) as the lower-case name.</summary>
public enum AuditStatus { Queued, Running, Completed, Failed }

/// <summary>What asked for an audit; stored (and shown in the API) as the lower-case name.</summary>
public enum AuditTrigger { Spot, Schedule, Cli }

public static class StoredNames
{
    /// <summary>The lower-case name an enum value has in the database and the API ("running", "schedule").</summary>
    public static string Of<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static T Parse<T>(string name) where T : struct, Enum => Enum.Parse<T>(name, ignoreCase: true);
}
