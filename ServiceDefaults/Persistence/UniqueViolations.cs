using Microsoft.Data.Sqlite;
using Npgsql;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Tells a unique-index violation from other database errors, on both providers.</summary>
public static class UniqueViolations
{
    const int SqliteConstraint = 19;
    const int SqliteConstraintUnique = 2067;
    const int SqliteConstraintPrimaryKey = 1555;

    public static bool Is(Exception exception) => exception
        is SqliteException { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey }
        or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
