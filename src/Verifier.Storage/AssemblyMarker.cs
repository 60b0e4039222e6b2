namespace Verifier.Storage;
internal static class AssemblyMarker;
