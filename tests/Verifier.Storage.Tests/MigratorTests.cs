namespace Verifier.Storage.Tests;

using Verifier.Storage;

/// <summary>The numbered SQL migrations on a real PostgreSQL: all applied once, a second run changes nothing.</summary>
public sealed class MigratorTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Every_migration_is_applied_once_and_migrating_again_is_harmless()
    {
        var files = Directory.GetFiles(Migrator.MigrationsFolder, "V*__*.sql").Length;
        Assert.True(files >= 2);
        var tables = await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'");
        await Migrator.MigrateAsync(database.ConnectionString, _ => { });
        Assert.Equal(tables, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM audit_log_head"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT seq FROM audit_log_head"));
    }
}
