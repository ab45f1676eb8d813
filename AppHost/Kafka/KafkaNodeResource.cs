namespace ECommerce.AppHost.Kafka;

/// <summary>One Apache Kafka node (KRaft, broker and controller in one JVM) as an executable: its own directory, ports on
/// 127.0.0.1 and a bounded heap; its log on the dashboard's console page; SIGTERM stops it with a controlled shutdown.</summary>
public sealed class KafkaNodeResource(string name, KafkaNodeLayout layout, string kafkaHome)
    : ExecutableResource(name, "java", layout.Directory)
{
    public KafkaNodeLayout Layout { get; } = layout;

    public string KafkaHome { get; } = kafkaHome;
}
