namespace ECommerce.ServiceDefaults.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}
