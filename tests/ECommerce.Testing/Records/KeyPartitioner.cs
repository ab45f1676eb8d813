using System.Text;

namespace ECommerce.Testing.Records;

/// <summary>The partition a record key goes to, as the services' producers pick it (librdkafka's <c>murmur2_random</c>, which
/// for a key is Java's default partitioner: murmur2 of the key's UTF-8 bytes, sign bit cleared, modulo the partition count —
/// Kafka's <c>Utils.murmur2</c> and <c>Utils.toPositive</c>). The suite promises this placement (DESIGN §2), so that any
/// client, in any language, finds a key where the relay put it; tests check it against the records read back, and compute it
/// where they must know a key's partition before anything is produced.</summary>
public static class KeyPartitioner
{
    public static int PartitionOf(string key, int partitions)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (int)((uint)Murmur2(Encoding.UTF8.GetBytes(key)) & 0x7fffffff) % partitions;
    }

    /// <summary>Kafka's murmur2 (seed 0x9747b28c), in unchecked 32-bit arithmetic.</summary>
    static int Murmur2(byte[] data)
    {
        const uint Seed = 0x9747b28c;
        const uint M = 0x5bd1e995;
        const int R = 24;
        var length = data.Length;
        var h = Seed ^ (uint)length;
        for (var i = 0; i + 4 <= length; i += 4)
        {
            var k = data[i] | ((uint)data[i + 1] << 8) | ((uint)data[i + 2] << 16) | ((uint)data[i + 3] << 24);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        var tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return unchecked((int)h);
    }
}
