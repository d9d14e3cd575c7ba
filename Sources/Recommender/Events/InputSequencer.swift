import StreamEngine

/// Turns events (or raw lines) into input records as a Kafka producer keyed by userId would: partition by murmur2
/// of the key, offsets counting up per partition. Lets file replays, benchmarks and tests feed the engine exactly
/// what the Kafka path would.
public struct InputSequencer: Sendable {
    public let topic: String
    public let partitions: Int32
    // Bound: one counter per partition.
    private var offsets: [Int64]

    public init(topic: String = "user-behavior", partitions: Int32) {
        precondition(partitions > 0, "a topic has at least one partition")
        self.topic = topic
        self.partitions = partitions
        offsets = Array(repeating: 0, count: Int(partitions))
    }

    public mutating func record(key: [UInt8], value: [UInt8]) -> StreamRecord {
        let partition = KeyPartitioner.partition(for: key, partitionCount: partitions)
        defer { offsets[Int(partition)] += 1 }
        return StreamRecord(
            topic: topic, partition: partition, offset: offsets[Int(partition)], key: key, value: value)
    }

    /// Per partition, the position after its last record (no key, no value): where a bounded input ends.
    public var ends: [StreamRecord] {
        (0..<partitions).map { partition in
            StreamRecord(topic: topic, partition: partition, offset: offsets[Int(partition)], key: nil, value: nil)
        }
    }

    public mutating func record(for event: BehaviorEvent) -> StreamRecord {
        record(key: Array(event.userId.utf8), value: EventCodec.encodeJSON(event))
    }
}
