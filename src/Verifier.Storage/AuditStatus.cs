namespace Verifier.Storage;

/// <summary>Where a stored audit is in its life; stored (and shown in the API) as its <see cref="Verifier.Core.StoredNames"/> name.</summary>
public enum AuditStatus { Queued, Running, Completed, Failed, Cancelled }

/// <summary>What asked for an audit; stored (and shown in the API) as its <see cref="Verifier.Core.StoredNames"/> name.</summary>
/// A light check (`light`) is a scheduled audit with the light plan (Core.Probes.Suite.LightCheck).
public enum AuditTrigger { Spot, Schedule, Cli, Light }
