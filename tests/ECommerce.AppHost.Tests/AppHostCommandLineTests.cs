using ECommerce.AppHost.Hosting;

namespace ECommerce.AppHost.Tests;

public sealed class AppHostCommandLineTests
{
    [Fact]
    public void TurnsOptionsIntoConfiguration()
    {
        var configuration = AppHostCommandLine.Parse(["--postgres", "--rabbitmq-cluster", "--data-dir", "/tmp/data", "--port-offset", "1000"]);

        Assert.NotNull(configuration);
        Assert.Equal("true", configuration["AppHost:UsePostgres"]);
        Assert.Equal("3", configuration["AppHost:RabbitMqNodes"]);
        Assert.Equal("/tmp/data", configuration["AppHost:DataDirectory"]);
        Assert.Equal("1000", configuration["AppHost:PortOffset"]);
    }

    [Fact]
    public void ReadsAPortBaseAsAnOffsetFromTheDefaultBase()
    {
        var configuration = AppHostCommandLine.Parse(["--port-base", "6100"]);

        Assert.Equal("1000", configuration?["AppHost:PortOffset"]);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--data-dir")]
    [InlineData("--port-offset", "many")]
    public void RejectsWhatItDoesNotKnow(params string[] args) =>
        Assert.Throws<ArgumentException>(() => AppHostCommandLine.Parse(args));

    [Fact]
    public void ReturnsNothingForHelp() => Assert.Null(AppHostCommandLine.Parse(["--help"]));
}
