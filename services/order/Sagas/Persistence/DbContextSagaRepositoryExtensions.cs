using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;

namespace ECommerce.Order.Sagas.Persistence;

public static class DbContextSagaRepositoryExtensions
{
    /// <summary>Persists <typeparamref name="TSaga"/> in <typeparamref name="TDbContext"/> (which must map it), message by
    /// message in the DbContext's own transaction; also answers MassTransit's load and query repositories.</summary>
    public static ISagaRegistrationConfigurator<TSaga> DbContextRepository<TSaga, TDbContext>(this ISagaRegistrationConfigurator<TSaga> configurator)
        where TSaga : class, ISagaVersion
        where TDbContext : MessagingDbContext
    {
        ArgumentNullException.ThrowIfNull(configurator);
        return configurator.Repository(r =>
        {
            r.RegisterSagaRepository<TSaga, TDbContext, SagaConsumeContextFactory<TDbContext, TSaga>, DbContextSagaRepositoryContextFactory<TSaga, TDbContext>>();
            r.RegisterLoadSagaRepository<TSaga, DbContextSagaRepositoryContextFactory<TSaga, TDbContext>>();
            r.RegisterQuerySagaRepository<TSaga, DbContextSagaRepositoryContextFactory<TSaga, TDbContext>>();
        });
    }
}
