var app = Verifier.Service.VerifierApp.Build(args);
app.Run();
