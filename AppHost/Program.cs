using ECommerce.AppHost.Kafka;
using ECommerce.AppHost.Resources;
using ECommerce.AppHost.Suite;

// The system: a Kafka broker (or a cluster of three) and, when asked for, PostgreSQL; four services that share nothing but
// the broker, each with a database of its own (a SQLite file unless PostgreSQL runs). Options: see SuiteSettings (eng/run.sh
// maps its flags).
var builder = DistributedApplication.CreateBuilder(args);
var suite = builder.AddSuiteSettings();

var messaging = builder.AddKafka("messaging", suite);
var postgres = suite.UsePostgres ? builder.AddPostgres("postgres", suite) : null;

builder.AddProject<Projects.ECommerce_Order>("order")
    .WithSuiteService(suite, SuitePorts.Order)
    .WithReference(messaging).WaitFor(messaging)
    .WithServiceDatabase(postgres, suite);

builder.AddProject<Projects.ECommerce_Coupon>("coupon")
    .WithSuiteService(suite, SuitePorts.Coupon)
    .WithReference(messaging).WaitFor(messaging)
    .WithServiceDatabase(postgres, suite);

builder.AddProject<Projects.ECommerce_Balance>("balance")
    .WithSuiteService(suite, SuitePorts.Balance)
    .WithReference(messaging).WaitFor(messaging)
    .WithServiceDatabase(postgres, suite);

builder.AddProject<Projects.ECommerce_DataPlatform>("data-platform")
    .WithSuiteService(suite, SuitePorts.DataPlatform)
    .WithReference(messaging).WaitFor(messaging)
    .WithServiceDatabase(postgres, suite);

builder.AddStartupReport();
builder.Build().Run();
