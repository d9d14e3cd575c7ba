import StreamEngine

/// A position in a partition: the offset of the next record to read.
public struct TopicPartitionOffset: Sendable, Hashable, CustomStringConvertible {
    public var topicPartition: TopicPartition
    /// The next offset to read; negative values are librdkafka's logical offsets (e.g. -1001 "none stored").
    public var offset: Int64

    public init(_ topicPartition: TopicPartition, offset: Int64) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public init(topic: String, partition: Int32, offset: Int64) {
        self.init(TopicPartition(topic: topic, partition: partition), offset: offset)
    }

    /// librdkafka's "no offset" marker (`RD_KAFKA_OFFSET_INVALID`).
    public static let invalid: Int64 = -1001

    public var description: String { "\(topicPartition)@\(offset)" }
}
