/// A record header: a name and raw bytes (nil for a header with no value).
public struct RecordHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ text: String) {
        self.init(name: name, value: Array(text.utf8))
    }
}

/// A record's value in typed form, handed from task to task inside one process (an in-process runner passes an
/// item-table row or a shuffled event on as it is); only an edge that needs the bytes — a broker, a file, a test
/// reading `value` — encodes it. An in-process replay encoded and decoded every table row and every shuffled event
/// otherwise, most of its allocations at the 50 000-item workload.
public protocol TypedValue: Sendable {
    /// The bytes a broker carries for this value.
    func encoded() -> [UInt8]
}

/// A record's value: the bytes it was made with, or the typed value a task made, encoded only when read.
private struct RecordValue: Sendable {
    var bytes: [UInt8]?
    var typed: (any TypedValue)?

    init(bytes: [UInt8]?) { self.bytes = bytes }
    init(typed: any TypedValue) { self.typed = typed }

    var encoded: [UInt8]? { bytes ?? typed?.encoded() }
}

/// One input record as the engine sees it: where it came from and its bytes. Any source can make these — a Kafka
/// consumer, a file reader, a test.
public struct StreamRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// The bytes (encoded from `typed` when a task in the same process sent it typed).
    public var value: [UInt8]? {
        get { payload.encoded }
        set { payload = RecordValue(bytes: newValue) }
    }
    private var payload: RecordValue
    /// The value as the sending task made it, when it came from a task in the same process; a task reads this
    /// first and decodes `value` only without it.
    public var typed: (any TypedValue)? { payload.typed }
    /// Whether the record has a value, without encoding a typed one.
    public var hasValue: Bool { payload.bytes != nil || payload.typed != nil }
    /// The source's timestamp (epoch ms), used when the payload has no event time of its own.
    public var timestamp: Int64?
    public var headers: [RecordHeader]

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?, timestamp: Int64? = nil,
        headers: [RecordHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.payload = RecordValue(bytes: value)
        self.timestamp = timestamp
        self.headers = headers
    }

    /// A task's output looped back into the topology in the same process, its typed value kept.
    public init(looping output: OutputRecord, partition: Int32, offset: Int64) {
        self.init(
            topic: output.topic, partition: partition, offset: offset, key: output.key, value: nil,
            timestamp: output.timestamp, headers: output.headers)
        payload = output.payload
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition, lhs.offset, lhs.timestamp) == (rhs.topic, rhs.partition, rhs.offset, rhs.timestamp)
            && lhs.key == rhs.key && lhs.value == rhs.value && lhs.headers == rhs.headers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(topic)
        hasher.combine(partition)
        hasher.combine(offset)
        hasher.combine(key)
        hasher.combine(value)
        hasher.combine(timestamp)
        hasher.combine(headers)
    }
}

/// One record the engine wants written. The edge (Kafka or a test) decides how.
public struct OutputRecord: Sendable, Hashable {
    public var topic: String
    /// nil lets the producer's partitioner choose from the key.
    public var partition: Int32?
    public var key: [UInt8]?
    /// The bytes (encoded from `typed` on each read when the record was made typed).
    public var value: [UInt8]? {
        get { payload.encoded }
        set { payload = RecordValue(bytes: newValue) }
    }
    fileprivate var payload: RecordValue
    /// The value in typed form, for a consumer in the same process (see `TypedValue`); nil when made from bytes.
    public var typed: (any TypedValue)? { payload.typed }
    public var timestamp: Int64?
    public var headers: [RecordHeader]

    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8]?, timestamp: Int64? = nil,
        headers: [RecordHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.payload = RecordValue(bytes: value)
        self.timestamp = timestamp
        self.headers = headers
    }

    /// A record whose value is encoded only when an edge reads `value`.
    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]?, typed: some TypedValue, timestamp: Int64? = nil,
        headers: [RecordHeader] = []
    ) {
        self.init(topic: topic, partition: partition, key: key, value: nil, timestamp: timestamp, headers: headers)
        payload = RecordValue(typed: typed)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition, lhs.timestamp) == (rhs.topic, rhs.partition, rhs.timestamp) && lhs.key == rhs.key
            && lhs.value == rhs.value && lhs.headers == rhs.headers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(topic)
        hasher.combine(partition)
        hasher.combine(key)
        hasher.combine(value)
        hasher.combine(timestamp)
        hasher.combine(headers)
    }

    /// The first header with this name, as text.
    public func headerText(_ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
