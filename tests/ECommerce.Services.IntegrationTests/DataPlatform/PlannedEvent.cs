namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>One event to publish: its stable message id (as an outbox row id would be) and the contract instance.</summary>
public sealed record PlannedEvent(Guid MessageId, object Message);
