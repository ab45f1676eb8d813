using System.Text.Json;

namespace ECommerce.AppHost.Dashboard;

/// <summary>The dead-letters page: every service's dead letters (each with its service) and each service's error, if any.</summary>
internal sealed record DeadLettersView(IReadOnlyList<JsonElement> Letters, IReadOnlyList<ServiceOpsView> Services);
