namespace ECommerce.DataPlatform.Replay;

public enum ReplayStatus
{
    Pending,
    Completed,
    Failed,
}
