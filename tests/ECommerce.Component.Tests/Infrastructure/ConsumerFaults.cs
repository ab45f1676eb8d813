using System.Collections.Concurrent;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>Per-host switchboard that makes the test consumers fail on purpose: the first N attempts of a message with a
/// transient failure (a timeout), or every attempt until <see cref="Heal"/> with a permanent one. Attempts are counted per
/// message id so retries and redeliveries are visible.</summary>
public sealed class ConsumerFaults
{
    readonly ConcurrentDictionary<Guid, int> _attempts = new();
    volatile int _failFirst;
    volatile bool _alwaysFail;
    volatile bool _alwaysTimeOut;

    public void FailFirstAttempts(int count) => _failFirst = count;

    public void AlwaysFail() => _alwaysFail = true;

    public void AlwaysTimeOut() => _alwaysTimeOut = true;

    public void Heal()
    {
        _alwaysFail = false;
        _alwaysTimeOut = false;
        _failFirst = 0;
    }

    public int AttemptsOf(Guid messageId) => _attempts.GetValueOrDefault(messageId);

    /// <summary>Called by a consumer before it applies a message; throws <see cref="SimulatedFailureException"/> (permanent) or
    /// <see cref="SimulatedOutageException"/> (transient) when told to.</summary>
    public void OnAttempt(Guid messageId)
    {
        var attempt = _attempts.AddOrUpdate(messageId, 1, (_, n) => n + 1);
        if (_alwaysFail)
            throw new SimulatedFailureException($"Simulated permanent failure of message {messageId} (attempt {attempt}).");
        if (_alwaysTimeOut || attempt <= _failFirst)
            throw new SimulatedOutageException($"Simulated transient failure of message {messageId} (attempt {attempt}).");
    }
}
