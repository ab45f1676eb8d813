namespace ECommerce.AppHost.Hosting.Model;

/// <summary>A resource other resources reference by connection string: a reference to it becomes the environment variable
/// <c>ConnectionStrings__{ConnectionName}</c> of the referencing process, as in .NET Aspire.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    string ConnectionName { get; }

    /// <summary>Available once the resource has started.</summary>
    string? ConnectionString { get; }
}
