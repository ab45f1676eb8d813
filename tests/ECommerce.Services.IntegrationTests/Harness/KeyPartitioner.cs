using System.Text;

namespace ECommerce.Services.IntegrationTests.Harness;

/// <summary>The partition a record key goes to, as the services' producers pick it (librdkafka's <c>murmur2_random</c>, which
/// for a key is Java's default partitioner: murmur2 of the key's UTF-8 bytes, sign bit cleared, modulo the partition count).
/// A test that must know where a coupon's requests land before any is produced (to put a sale on the partitions an instance
/// owns) computes it here; the tests check the prediction against the records read back from the topic.</summary>
public static class KeyPartitioner
{
    public static int PartitionOf(string key, int partitions)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (int)((uint)Murmur2(Encoding.UTF8.GetBytes(key)) & 0x7fffffff) % partitions;
    }

    /// <summary>Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), in unchecked 32-bit arithmetic.</summary>
    static int Murmur2(byte[] data)
    {
        const uint seed = 0x9747b28c;
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = seed ^ (uint)length;
        var whole = length / 4;
        for (var i = 0; i < whole; i++)
        {
            var at = i * 4;
            var k = data[at] | ((uint)data[at + 1] << 8) | ((uint)data[at + 2] << 16) | ((uint)data[at + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        var tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= m;
                break;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= m;
                break;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}
