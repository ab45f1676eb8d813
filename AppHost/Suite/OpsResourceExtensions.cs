using System.Net;
using Aspire.Hosting;

namespace ECommerce.AppHost.Suite;

/// <summary>What the Aspire dashboard shows of a service beyond Aspire's own pages: links to its OpenAPI document and its
/// operations API, and commands over its dead letters (each a call to the service's <c>/ops/dead-letters</c> API).</summary>
public static class OpsResourceExtensions
{
    const string DeadLetterId = "id";

    public static IResourceBuilder<ProjectResource> WithOpsUrls(this IResourceBuilder<ProjectResource> service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var http = service.GetEndpoint("http");
        return service
            .WithUrlForEndpoint("http", url => url.DisplayText = "API")
            .WithUrl(ReferenceExpression.Create($"{http}/openapi/v1.json"), "OpenAPI")
            .WithUrl(ReferenceExpression.Create($"{http}/ops/consumers"), "Consumer lag")
            .WithUrl(ReferenceExpression.Create($"{http}/ops/outbox"), "Outbox")
            .WithUrl(ReferenceExpression.Create($"{http}/ops/dead-letters"), "Dead letters");
    }

    public static IResourceBuilder<ProjectResource> WithDeadLetterCommands(this IResourceBuilder<ProjectResource> service)
    {
        ArgumentNullException.ThrowIfNull(service);
        service.WithHttpCommand("/ops/dead-letters/redrive", "Re-drive all dead letters", commandName: "redrive-dead-letters",
            commandOptions: new HttpCommandOptions
            {
                Method = HttpMethod.Post,
                Description = "Publishes every recorded dead letter again with its original message id.",
                IconName = "ArrowRedo",
                UpdateState = RunningOnly,
            });
        service.WithHttpCommand("/ops/dead-letters", "Discard all dead letters", commandName: "discard-dead-letters",
            commandOptions: new HttpCommandOptions
            {
                Method = HttpMethod.Delete,
                Description = "Deletes every recorded dead letter without publishing it.",
                ConfirmationMessage = "Discard every dead letter of this service? They are not published again.",
                IconName = "Delete",
                UpdateState = RunningOnly,
            });
        service.WithCommand("redrive-dead-letter", "Re-drive a dead letter…", context => CallAsync(service, context, HttpMethod.Post, "/redrive"),
            new CommandOptions
            {
                Description = "Publishes one dead letter again, by its id (GET /ops/dead-letters lists them).",
                Arguments = [IdInput()],
                IconName = "ArrowRedo",
                UpdateState = RunningOnly,
            });
        service.WithCommand("discard-dead-letter", "Discard a dead letter…", context => CallAsync(service, context, HttpMethod.Delete, string.Empty),
            new CommandOptions
            {
                Description = "Deletes one dead letter, by its id, without publishing it.",
                Arguments = [IdInput()],
                IconName = "Delete",
                UpdateState = RunningOnly,
            });
        return service;
    }

    static InteractionInput IdInput() => new()
    {
        Name = DeadLetterId,
        Label = "Dead letter id",
        InputType = InputType.Text,
        Required = true,
        Placeholder = "00000000-0000-0000-0000-000000000000",
    };

    static ResourceCommandState RunningOnly(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    static async Task<ExecuteCommandResult> CallAsync(IResourceBuilder<ProjectResource> service, ExecuteCommandContext context,
        HttpMethod method, string suffix)
    {
        var id = context.Arguments.GetString(DeadLetterId)?.Trim();
        if (!Guid.TryParse(id, out var guid))
            return CommandResults.Failure($"'{id}' is not a dead letter id (a GUID).");
        var baseUrl = service.GetEndpoint("http").Url;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, new Uri($"{baseUrl}/ops/dead-letters/{guid}{suffix}"));
        using var response = await client.SendAsync(request, context.CancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => CommandResults.Success(),
            HttpStatusCode.NotFound => CommandResults.Failure($"{service.Resource.Name} has no dead letter {guid}."),
            _ => CommandResults.Failure($"{service.Resource.Name} answered {(int)response.StatusCode}: "
                + await response.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false)),
        };
    }
}
