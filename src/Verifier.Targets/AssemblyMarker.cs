namespace Verifier.Targets;
internal static class AssemblyMarker;
