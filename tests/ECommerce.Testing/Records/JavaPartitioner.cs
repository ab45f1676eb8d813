using System.Globalization;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Testing.Records;

/// <summary>Where Kafka's own Java producer puts keyed records: runs the distribution's <c>kafka-clients</c> code
/// (<c>BuiltInPartitioner.partitionForKey</c>, what the Java producer calls for a record with a key) on the JVM the broker runs
/// on. The suite promises that placement (DESIGN §2), so that a Java client, or any client hashing as Java does, finds a key
/// where the services put it; this is the reference that <see cref="KeyPartitioner"/> and the services' producers are held
/// to.</summary>
public static class JavaPartitioner
{
    const string Program = """
        import java.nio.charset.StandardCharsets;
        import java.nio.file.Files;
        import java.nio.file.Path;
        import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

        public class PartitionsForKeys {
            public static void main(String[] args) throws Exception {
                var out = new StringBuilder();
                for (var key : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
                    var bytes = key.getBytes(StandardCharsets.UTF_8);
                    for (var i = 2; i < args.length; i++) {
                        out.append(BuiltInPartitioner.partitionForKey(bytes, Integer.parseInt(args[i]))).append(i + 1 < args.length ? " " : "\n");
                    }
                }
                Files.writeString(Path.of(args[1]), out, StandardCharsets.UTF_8);
            }
        }
        """;

    /// <summary>For each key (UTF-8, no line breaks), its partition under each of <paramref name="partitionCounts"/>.</summary>
    public static async Task<IReadOnlyList<int[]>> PartitionsAsync(IReadOnlyList<string> keys, IReadOnlyList<int> partitionCounts,
        string? kafkaHome = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(partitionCounts);
        if (keys.Any(k => k.Contains('\n', StringComparison.Ordinal) || k.Contains('\r', StringComparison.Ordinal)))
            throw new ArgumentException("Keys are passed one per line.", nameof(keys));
        var home = KafkaNode.Prerequisites(new KafkaNodeOptions { KafkaHome = kafkaHome });
        var directory = Directory.CreateTempSubdirectory("java-partitioner-");
        try
        {
            var source = Path.Combine(directory.FullName, "PartitionsForKeys.java");
            var keyFile = Path.Combine(directory.FullName, "keys.txt");
            var answerFile = Path.Combine(directory.FullName, "partitions.txt");
            await File.WriteAllTextAsync(source, Program).ConfigureAwait(false);
            await File.WriteAllLinesAsync(keyFile, keys).ConfigureAwait(false);
            string[] arguments =
            [
                "-cp", Path.Combine(home, "libs", "*"), source, keyFile, answerFile,
                .. partitionCounts.Select(c => c.ToString(CultureInfo.InvariantCulture)),
            ];
            await CommandRunner.RunAsync("java", arguments, workingDirectory: directory.FullName).ConfigureAwait(false);
            var lines = await File.ReadAllLinesAsync(answerFile).ConfigureAwait(false);
            if (lines.Length != keys.Count)
                throw new InvalidOperationException($"The Java partitioner answered {lines.Length} lines for {keys.Count} keys.");
            return lines.Select(l => l.Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray()).ToList();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
