using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("ECommerce.Services.IntegrationTests.Infrastructure.ServicesTestFramework", "ECommerce.Services.IntegrationTests")]

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>xunit's own framework plus one step at the very end of the run: the shared broker and database are stopped before
/// the runner is told the assembly has finished. A ProcessExit handler is too late for that: once the runner has heard
/// "finished" it ends the test process within moments, cutting a graceful broker stop short.</summary>
public sealed class ServicesTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink,
            ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new AssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync().ConfigureAwait(false);
        }
    }

    sealed class AssemblyRunner(ITestAssembly testAssembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnosticMessageSink,
        IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
    {
        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            await SharedInfrastructure.StopAsync().ConfigureAwait(false);
            await base.BeforeTestAssemblyFinishedAsync().ConfigureAwait(false);
        }
    }
}
