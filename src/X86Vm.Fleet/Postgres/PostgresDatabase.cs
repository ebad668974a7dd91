using Npgsql;

namespace X86Vm.Fleet.Postgres;

/// <summary>
/// A fleet's PostgreSQL database (<c>x86vm fleet silo --cluster postgres://…</c>): membership through Orleans' ADO.NET
/// clustering, and the store. <see cref="EnsureSchemaAsync"/> creates what is missing in an empty database.
/// </summary>
public static class PostgresDatabase
{
    /// <summary>
    /// The connection string for postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=/socket/dir]: a <c>host</c>
    /// query parameter names a Unix socket directory instead of a TCP host, as libpq's URLs allow.
    /// </summary>
    public static string ConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("postgres" or "postgresql"))
            throw new ArgumentException($"{url}: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE");
        string[] user = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } database ? database : "postgres",
            Username = user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : Environment.UserName,
        };
        if (user.Length > 1) builder.Password = Uri.UnescapeDataString(user[1]);
        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            switch (kv[0])
            {
                case "host": builder.Host = value; break;
                case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value, ignoreCase: true); break;
                default: throw new ArgumentException($"{url}: unknown parameter {kv[0]}");
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// Creates Orleans' clustering tables and queries and the fleet store's tables, each set only when its tables do not
    /// exist. Silos starting together take turns on an advisory lock, so only the first creates them.
    /// </summary>
    public static async Task EnsureSchemaAsync(string connectionString, CancellationToken cancel = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancel);
        await using var transaction = await connection.BeginTransactionAsync(cancel);
        await Execute(connection, "SELECT pg_advisory_xact_lock(7086830617)", cancel); // any constant: "x86vm fleet schema"
        if (!await Exists(connection, "orleansmembershiptable", cancel)) await Execute(connection, Script("Clustering.sql"), cancel);
        if (!await Exists(connection, "x86vm_blobs", cancel)) await Execute(connection, Script("Store.sql"), cancel);
        await transaction.CommitAsync(cancel);
    }

    static async Task<bool> Exists(NpgsqlConnection connection, string table, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection);
        command.Parameters.AddWithValue("table", table);
        return (bool)(await command.ExecuteScalarAsync(cancel))!;
    }

    static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancel)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancel);
    }

    /// <summary>A script embedded beside this class (Postgres/*.sql).</summary>
    static string Script(string name)
    {
        using Stream stream = typeof(PostgresDatabase).Assembly.GetManifestResourceStream($"X86Vm.Fleet.Postgres.{name}")
            ?? throw new InvalidOperationException($"the fleet's SQL script {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
