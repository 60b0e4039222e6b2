namespace Verifier.Service.Dashboard;

using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;
using Verifier.Core.Security;

/// <summary>
/// The data-protection key ring in PostgreSQL (data_protection_keys, V8), so a session cookie issued by one node is
/// read by every other node on the same database. Each key's XML is sealed with the service's encryption key: the
/// ring can forge sessions, so it is a secret at rest like a target's API key.
/// </summary>
public sealed class PostgresKeyRing(string connectionString, SecretBox secrets) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT xml_cipher FROM data_protection_keys ORDER BY id", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(secrets.Open((byte[])reader[0])));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("INSERT INTO data_protection_keys (friendly_name, xml_cipher) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = friendlyName });
        command.Parameters.Add(new NpgsqlParameter { Value = secrets.Seal(element.ToString(SaveOptions.DisableFormatting)) });
        command.ExecuteNonQuery();
    }
}
