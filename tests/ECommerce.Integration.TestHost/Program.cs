using ECommerce.Integration.TestHost;
using ECommerce.Integration.TestHost.Sequencing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Configured entirely by environment variables (ConnectionStrings__messaging, ConnectionStrings__sequence, Messaging__*,
// Sequencing__Instance), like a service instance started by the AppHost.
var builder = Host.CreateApplicationBuilder(args);
builder.AddSequencing();
builder.Services.AddHostedService<ParentWatch>();
await builder.Build().RunAsync().ConfigureAwait(false);
