using Microsoft.Extensions.Hosting;

namespace ECommerce.Integration.TestHost;

/// <summary>Stops the instance when its standard input reaches end-of-file. The test keeps the pipe open for the instance's
/// whole life and closes it to ask for a graceful stop; if the test process dies the pipe closes too, so an instance is never
/// left consuming from a broker nobody watches.</summary>
internal sealed class ParentWatch(IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reading a pipe blocks a thread whatever API is used; a dedicated one keeps the thread pool free.
        var watcher = new Thread(() =>
        {
            try
            {
                Console.In.ReadToEnd();
            }
            catch (IOException)
            {
                // A broken pipe means the same as end-of-file: nobody is listening any more.
            }

            lifetime.StopApplication();
        })
        {
            IsBackground = true,
            Name = "parent-watch",
        };
        watcher.Start();
        return Task.CompletedTask;
    }
}
