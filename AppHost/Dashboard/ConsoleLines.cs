using ECommerce.AppHost.Hosting;

namespace ECommerce.AppHost.Dashboard;

/// <summary>Console lines of a resource, and the sequence to ask after next time (the last line read, matching or not).</summary>
internal sealed record ConsoleLines(IReadOnlyList<ResourceLogLine> Items, long LastSequence);
