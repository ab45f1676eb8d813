namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

/// <summary>Puts a dead letter back where its consumer group reads it, with its original message id.</summary>
public interface IDeadLetterRedriver
{
    /// <summary>False for a letter no consumer group reads again (the data platform's poison records, kept from its log).</summary>
    bool CanRedrive(DeadLetter letter);

    Task RedriveAsync(DeadLetter letter, RedriveEnvelope envelope, CancellationToken cancellationToken);
}
