using ECommerce.Services.IntegrationTests.Coupon.Load;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>The fault tests' load: a quick sale in CI (4,000 requests from 2,000 users), the full sale of the flash-sale issue
/// (10,000 requests from 5,000 users) as a soak with <c>FAULTS_SOAK=1</c>.</summary>
public static class FaultScale
{
    public static bool Soak => Environment.GetEnvironmentVariable("FAULTS_SOAK") == "1";

    public static FlashSaleScale Sale => Soak ? FlashSaleScale.PostgreSql : FlashSaleScale.Sqlite;
}
