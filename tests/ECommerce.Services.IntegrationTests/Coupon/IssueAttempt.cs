using System.Net;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>The answer to one POST of an issue request: its status code and, when accepted (202), the request's id and status.</summary>
public sealed record IssueAttempt(HttpStatusCode StatusCode, Guid? RequestId, string? RequestStatus);
