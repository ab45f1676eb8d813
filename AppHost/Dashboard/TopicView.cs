namespace ECommerce.AppHost.Dashboard;

/// <summary>A topic of the suite as the topics page lists it.</summary>
internal sealed record TopicView(string Name, string? Key, bool IsCommandChannel, int Partitions);
