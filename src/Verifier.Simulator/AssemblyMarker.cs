namespace Verifier.Simulator;
internal static class AssemblyMarker;
