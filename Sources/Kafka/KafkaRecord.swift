import StreamEngine

// Records on the wire are the engine's own record types (`StreamRecord` read, `OutputRecord` written,
// `RecordHeader`): the Kafka edge depends on the core, never the other way round.

extension StreamRecord {
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// The first header with this name.
    public func header(_ name: String) -> [UInt8]? { headers.first { $0.name == name }?.value ?? nil }
}

/// The outcome of one produced record, reported by librdkafka once the broker acknowledged it or gave up.
public struct DeliveryReport: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var error: KafkaError?
}
