using System.Data.Common;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Which consumer failures are worth an immediate in-process retry: the database or the network refused for now (a
/// concurrency conflict, a constraint another instance won the race for, a busy SQLite writer, a timeout, a dropped
/// connection). Anything else — the consumer's own verdict that the message cannot be applied — goes straight to delayed
/// redelivery: retrying it in process cannot help and would hold the partition, so that a flood of poison messages would
/// stall every healthy message queued behind them.</summary>
internal static class TransientFailures
{
    public static bool IsTransient(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // Its record is handled again on its own, where what failed is retried.
                case Persistence.BatchAbortedException:
                    return false;
                case DbUpdateException:
                case DbException:
                case TimeoutException:
                case IOException:
                case SocketException:
                case MassTransit.ConcurrencyException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsTransient):
                    return true;
            }
        }

        return false;
    }
}
