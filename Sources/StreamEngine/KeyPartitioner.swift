/// Kafka's default partitioner (the Java client's `Utils.murmur2`, librdkafka's `murmur2_random`): the partition a
/// keyed record lands on. Using the same function as Kafka means a record re-keyed here lands on the same partition
/// a Java or librdkafka producer would pick, so the task that owns the key is found by any instance of the group.
public enum KeyPartitioner {
    public static func partition(for key: some Collection<UInt8>, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return Int32(bitPattern: murmur2(key) & 0x7fff_ffff) % partitionCount
    }

    /// MurmurHash2 (32 bit) with Kafka's seed, reading 4-byte little-endian blocks. Contiguous keys (arrays) are
    /// hashed in place, without a copy.
    public static func murmur2(_ key: some Collection<UInt8>) -> UInt32 {
        key.withContiguousStorageIfAvailable { murmur2(bytes: $0) }
            ?? Array(key).withUnsafeBufferPointer { murmur2(bytes: $0) }
    }

    private static func murmur2(bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        var hash: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: bytes.count)
        let blocks = bytes.count / 4
        for block in 0..<blocks {
            let at = block * 4
            var k =
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3])
                << 24
            k &*= m
            k ^= k >> 24
            k &*= m
            hash &*= m
            hash ^= k
        }
        let tail = blocks * 4
        switch bytes.count % 4 {
        case 3:
            hash ^= UInt32(bytes[tail + 2]) << 16
            fallthrough
        case 2:
            hash ^= UInt32(bytes[tail + 1]) << 8
            fallthrough
        case 1:
            hash ^= UInt32(bytes[tail])
            hash &*= m
        default: break
        }
        hash ^= hash >> 13
        hash &*= m
        hash ^= hash >> 15
        return hash
    }
}
