var app = Verifier.Service.VerifierApp.Build(args);
app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
