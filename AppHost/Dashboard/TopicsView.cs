using System.Text.Json;

namespace ECommerce.AppHost.Dashboard;

/// <summary>The topics page: the topics, every consumer group queue (a service's <c>/ops/consumers</c> row plus the
/// service), and each service's outbox backlog or error.</summary>
internal sealed record TopicsView(IReadOnlyList<TopicView> Topics, IReadOnlyList<JsonElement> Queues, IReadOnlyList<ServiceOpsView> Services);
