using Xunit;

namespace ECommerce.Component.Tests.Contracts;

/// <summary>The compatibility rule itself, on hand-written shapes: it must reject what breaks an old reader and accept
/// additions, or the sample check above proves nothing.</summary>
public sealed class JsonShapeTests
{
    const string Sample = """
        {"orderId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","userId":42,"amount":12.34,"at":"2026-01-02T03:04:05+00:00",
         "reason":"text","items":[{"productId":"3f2504e0-4f89-41d3-9a0c-0305e82c3301","quantity":1}]}
        """;

    [Fact]
    public void IdenticalShapeIsCompatible() =>
        Assert.Empty(JsonShape.BreakingChanges(JsonShape.Of(Sample), JsonShape.Of(Sample)));

    [Fact]
    public void AddedPropertiesAreCompatible()
    {
        var current = Sample.Replace("\"reason\":\"text\"", "\"reason\":\"text\",\"channel\":\"web\"", StringComparison.Ordinal)
            .Replace("\"quantity\":1", "\"quantity\":1,\"sku\":\"x\"", StringComparison.Ordinal);

        Assert.Empty(JsonShape.BreakingChanges(JsonShape.Of(Sample), JsonShape.Of(current)));
        Assert.Equal(["$.channel", "$.items[].sku"], JsonShape.Additions(JsonShape.Of(Sample), JsonShape.Of(current)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("\"reason\":\"text\",", "", "$.reason (string) is missing")]
    [InlineData("\"userId\":42", "\"customerId\":42", "$.userId (number:integer) is missing")]
    [InlineData("\"userId\":42", "\"userId\":\"42\"", "$.userId changed from number:integer to string")]
    [InlineData("\"amount\":12.34", "\"amount\":12", "$.amount changed from number:decimal to number:integer")]
    [InlineData("\"at\":\"2026-01-02T03:04:05+00:00\"", "\"at\":1767323045", "$.at changed from string:date-time to number:integer")]
    [InlineData("\"orderId\":\"3f2504e0-4f89-41d3-9a0c-0305e82c3301\"", "\"orderId\":\"A-1\"", "$.orderId changed from string:uuid to string")]
    [InlineData(",\"quantity\":1", "", "$.items[].quantity (number:integer) is missing")]
    [InlineData("[{\"productId\":\"3f2504e0-4f89-41d3-9a0c-0305e82c3301\",\"quantity\":1}]", "{}", "$.items changed from array to object")]
    public void RemovedRenamedOrRetypedPropertiesBreak(string from, string to, string expected)
    {
        var current = Sample.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Sample, current);

        Assert.Contains(expected, JsonShape.BreakingChanges(JsonShape.Of(Sample), JsonShape.Of(current)));
    }
}
