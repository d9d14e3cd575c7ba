/// A record header: a name and raw bytes.
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }
}

/// A record read from Kafka. Bytes are copied out of librdkafka's buffer, so the value outlives the poll.
public struct KafkaMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    /// Create or log-append time in epoch milliseconds, when the broker gives one.
    public var timestamp: Int64?
    public var headers: [KafkaHeader]

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?, timestamp: Int64? = nil,
        headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// The first header with this name.
    public func header(_ name: String) -> [UInt8]? { headers.first { $0.name == name }?.value ?? nil }
}

/// A record to write to Kafka.
public struct ProducerRecord: Sendable, Hashable {
    public var topic: String
    /// `nil` lets the configured partitioner choose from the key (murmur2 by default in StreamRec).
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var timestamp: Int64?
    public var headers: [KafkaHeader]

    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, timestamp: Int64? = nil,
        headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }
}

/// The outcome of one produced record, reported by librdkafka once the broker acknowledged it or gave up.
public struct DeliveryReport: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var error: KafkaError?
}
