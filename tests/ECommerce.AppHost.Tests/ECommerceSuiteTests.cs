using ECommerce.AppHost.Hosting;
using ECommerce.Testing;
using ECommerce.ServiceDefaults.Messaging;

namespace ECommerce.AppHost.Tests;

public sealed class ECommerceSuiteTests
{
    private static readonly Uri Broker = new("amqp://user:secret@broker.example:5672/");

    [Fact]
    public void GivesEveryServiceItsPortBrokerDataDirectoryAndTelemetrySettings()
    {
        var settings = new AppHostSettings { PortOffset = 1000, DataDirectory = "/tmp/suite-data" };
        var model = ECommerceSuite.CreateModel(settings, Broker, new MessagingOptions());

        var coupon = model.Resources.OfType<ProjectResource>().Single(p => p.Name == "coupon");
        var environment = coupon.BuildEnvironment();

        Assert.Equal("http://127.0.0.1:6102", environment["ASPNETCORE_URLS"]);
        Assert.Equal("Development", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal(Broker.ToString(), environment["ConnectionStrings__messaging"]);
        Assert.Equal("RabbitMq", environment["Messaging__Transport"]);
        Assert.Equal("0", environment["Messaging__InstanceOrdinal"]);
        Assert.Equal("1", environment["Messaging__InstanceCount"]);
        Assert.Equal("/tmp/suite-data", environment["Persistence__DataDirectory"]);
        Assert.Equal("coupon", environment["OTEL_SERVICE_NAME"]);
        Assert.Equal("http://127.0.0.1:19888", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.True(environment.ContainsKey("ConnectionStrings__coupon"));
        Assert.Null(environment["ConnectionStrings__coupon"]);
        Assert.Equal("/health", coupon.HealthCheckPath);
        Assert.True(File.Exists(coupon.Project.AssemblyPath), coupon.Project.AssemblyPath);
    }

    [Fact]
    public void WithPostgresEveryServiceWaitsForADatabaseOfItsOwn()
    {
        var model = ECommerceSuite.CreateModel(new AppHostSettings { UsePostgres = true }, externalBroker: null, new MessagingOptions());

        Assert.Equal(
            ["messaging", "postgres", "order-db", "coupon-db", "balance-db", "data-platform-db", "order", "coupon", "balance", "data-platform"],
            model.Resources.Select(r => r.Name));
        foreach (var service in ECommerceSuite.ServiceNames)
        {
            var project = model.Resources.OfType<ProjectResource>().Single(p => p.Name == service);
            var database = Assert.IsType<PostgresDatabaseResource>(project.WaitForResources.Single(r => r.Name == service + "-db"));
            Assert.Equal(service, database.ConnectionName);
            Assert.Contains(project.WaitForResources, r => r.Name == "messaging");
        }
    }
}
