namespace Verifier.Core;
internal static class AssemblyMarker;
