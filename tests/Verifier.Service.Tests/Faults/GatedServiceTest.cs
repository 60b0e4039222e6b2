namespace Verifier.Service.Tests.Faults;

using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// A service node whose database connections pass through a <see cref="TcpGate"/> the test closes (a database outage),
/// a vendor stub, and a fresh database; <see cref="Settings"/> adds the node's configuration.
/// </summary>
public abstract class GatedServiceTest : IAsyncLifetime
{
    protected readonly TestDatabase database = new();
    protected TcpGate gate = null!;
    protected VendorStub vendor = null!;
    protected VerifierFactory factory = null!;

    protected abstract Dictionary<string, string> Settings { get; }

    public virtual async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
        (gate, var throughGate) = TcpGate.Before(database.ConnectionString);
        var settings = Settings;
        settings["ConnectionStrings:Verifier"] = throughGate;
        factory = new VerifierFactory(database, settings);
    }

    public async Task DisposeAsync()
    {
        gate.Open();
        await factory.DisposeAsync();
        await gate.DisposeAsync();
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }
}
