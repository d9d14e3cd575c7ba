import CRdKafka
import Logging
import StreamEngine

/// What librdkafka tells the application from its own threads (logs, client-level errors, delivery reports).
/// Owned by the client that owns the handle; librdkafka reaches it through the handle's opaque pointer.
final class RDKafkaCallbacks: @unchecked Sendable {
    // Immutable after init, and the closures are Sendable, so this is safe to read from librdkafka's threads.
    let logger: Logger
    let onError: @Sendable (KafkaError) -> Void
    let onDelivery: (@Sendable (DeliveryReport) -> Void)?
    let onRebalance:
        ((OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?
    /// librdkafka's statistics JSON, every `statistics.interval.ms`.
    let onStatistics: (@Sendable (String) -> Void)?
    /// An offset reset librdkafka applied (it reports them only in its log).
    let onOffsetReset: (@Sendable (OffsetResetEvent) -> Void)?

    init(
        logger: Logger, onError: @escaping @Sendable (KafkaError) -> Void,
        onOffsetReset: (@Sendable (OffsetResetEvent) -> Void)? = nil,
        onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
        onRebalance: (
            (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void
        )? =
            nil,
        onStatistics: (@Sendable (String) -> Void)? = nil
    ) {
        self.logger = logger
        self.onError = onError
        self.onDelivery = onDelivery
        self.onRebalance = onRebalance
        self.onStatistics = onStatistics
        self.onOffsetReset = onOffsetReset
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbacks? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// Owns one `rd_kafka_t` handle: creates it from properties, routes its callbacks, and destroys it exactly once.
/// Everything above this folder talks to this type, never to a C pointer.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind { case producer, consumer }

    // librdkafka handles are thread-safe; the pointer itself never changes after init.
    let handle: OpaquePointer
    let kind: Kind
    private let callbacks: RDKafkaCallbacks

    init(kind: Kind, properties: [String: String], callbacks: RDKafkaCallbacks) throws(KafkaError) {
        let conf = rd_kafka_conf_new()!
        do {
            for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
                try Self.set(key, value, in: conf)
            }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let handle, let callbacks = RDKafkaCallbacks.from(rd_kafka_opaque(handle)) else { return }
            let (facility, message) = (String(cString: facility!), String(cString: message!))
            callbacks.logger.log(level: RDKafkaClient.logLevel(syslog: level), "\(facility): \(message)")
            if level <= 4, facility == "OFFSET", let reset = OffsetResetEvent(logLine: message) {
                callbacks.onOffsetReset?(reset)
            }
        }
        rd_kafka_conf_set_error_cb(conf) { _, code, reason, opaque in
            let detail = reason.map { String(cString: $0) }
            RDKafkaCallbacks.from(opaque)?.onError(
                KafkaError(rd_kafka_resp_err_t(rawValue: code), while: "kafka client", detail: detail))
        }
        if callbacks.onDelivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
                callbacks.onDelivery?(RDKafkaClient.deliveryReport(message.pointee))
            }
        }
        if callbacks.onRebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { handle, code, partitions, opaque in
                guard let handle, let partitions, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
                callbacks.onRebalance?(handle, code, partitions)
            }
        }
        if callbacks.onStatistics != nil {
            rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
                if let json, let callbacks = RDKafkaCallbacks.from(opaque) {
                    callbacks.onStatistics?(
                        String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self))
                }
                return 0  // librdkafka frees the JSON buffer
            }
        }
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

    /// Checks properties the way `init` applies them, without creating a client or connecting.
    static func validate(_ properties: [String: String]) throws(KafkaError) {
        let conf = rd_kafka_conf_new()!
        defer { rd_kafka_conf_destroy(conf) }
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) { try set(key, value, in: conf) }
    }

    /// Sets one property; a wrong key or value names the key and librdkafka's reason.
    static func set(_ key: String, _ value: String, in conf: OpaquePointer) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: errorTextCapacity)
        let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
        guard result == RD_KAFKA_CONF_OK else {
            let shown = KafkaConfiguration.isSecret(key) ? "[redacted]" : value
            throw KafkaError.invalidArgument(
                "invalid Kafka setting \(key)=\(shown): \(string(fromErrorText: errorText))")
        }
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

    static func logLevel(syslog level: Int32) -> Logger.Level {
        switch level {
        case ...3: return .error
        case 4: return .warning
        case 5, 6: return .info
        default: return .debug
        }
    }

    static func deliveryReport(_ message: rd_kafka_message_t) -> DeliveryReport {
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let error: KafkaError? =
            message.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(message.err, while: "delivering to \(topic)")
        return DeliveryReport(topic: topic, partition: message.partition, offset: message.offset, error: error)
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
