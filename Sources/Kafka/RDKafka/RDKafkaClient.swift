import CRdKafka
import StreamEngine

/// Owns one `rd_kafka_t` handle: creates it from properties, keeps its callbacks alive, and destroys it exactly once.
/// Everything above this folder talks to this type and its wrappers, never to a C pointer. The calls of one client
/// kind live in extensions beside it (`RDKafkaClient+Produce`, `+Transactions`, `+Admin`); a consumer's in
/// `RDKafkaConsumerClient`.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind { case producer, consumer }

    // librdkafka handles are thread-safe; the pointer itself never changes after init.
    let handle: OpaquePointer
    let kind: Kind
    private let callbacks: RDKafkaCallbacks

    init(kind: Kind, properties: [String: String], callbacks: RDKafkaCallbacks) throws(KafkaError) {
        let conf = try RDKafkaConfig.make(properties, callbacks: callbacks)
        var errorText = [CChar](repeating: 0, count: errorTextCapacity)
        let type: rd_kafka_type_t = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        // On success rd_kafka_new owns `conf`; on failure it is still ours to free.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.invalidArgument("creating the Kafka client failed: \(string(fromErrorText: errorText))")
        }
        self.handle = handle
        self.kind = kind
        self.callbacks = callbacks
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The value the handle's librdkafka configuration holds for a property — what the client really runs with —
    /// or nil for an unknown property.
    func configurationValue(_ name: String) -> String? {
        let conf = rd_kafka_conf(handle)
        var size = 0
        guard rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK else { return nil }
        var buffer = [CChar](repeating: 0, count: max(size, 1))
        guard rd_kafka_conf_get(conf, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return string(fromErrorText: buffer)
    }

    /// Serves queued callbacks (delivery reports, errors, logs) for at most `timeoutMilliseconds`.
    @discardableResult
    func poll(timeoutMilliseconds: Int32) -> Int32 {
        rd_kafka_poll(handle, timeoutMilliseconds)
    }

    /// The first and the next-to-be-written offset of a partition, as the partition leader reports them. Blocks.
    func offsetRange(of partition: TopicPartition, timeoutMilliseconds: Int32) throws(KafkaError) -> Range<Int64> {
        var low: Int64 = 0
        var high: Int64 = 0
        try check(
            rd_kafka_query_watermark_offsets(
                handle, partition.topic, partition.partition, &low, &high, timeoutMilliseconds),
            while: "reading the offsets of \(partition)")
        return low..<max(low, high)
    }
}
