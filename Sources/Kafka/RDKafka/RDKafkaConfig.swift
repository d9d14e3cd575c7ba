import CRdKafka
import Logging

/// Builds librdkafka configurations (`rd_kafka_conf_t`) from properties and routes their callbacks.
enum RDKafkaConfig {
    /// A configuration with every property set and librdkafka's callbacks routed to `callbacks`, which must outlive
    /// the handle made from it. The caller owns the result until `rd_kafka_new` takes it.
    static func make(_ properties: [String: String], callbacks: RDKafkaCallbacks) throws(KafkaError) -> OpaquePointer {
        let conf = try withProperties(properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, message in
            guard let handle, let callbacks = RDKafkaCallbacks.from(rd_kafka_opaque(handle)) else { return }
            let (facility, message) = (String(cString: facility!), String(cString: message!))
            callbacks.logger.log(level: RDKafkaConfig.logLevel(syslog: level), "\(facility): \(message)")
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
                callbacks.onDelivery?(RDStreamRecord.deliveryReport(message.pointee))
            }
        }
        if callbacks.onRebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { handle, code, partitions, opaque in
                guard let handle, let partitions, let callbacks = RDKafkaCallbacks.from(opaque),
                    let handler = callbacks.onRebalance
                else { return }
                RDKafkaRebalance.apply(code, partitions, on: handle, handler: handler, logger: callbacks.logger)
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
        return conf
    }

    /// Checks properties the way `make` applies them, without creating a client or connecting.
    static func validate(_ properties: [String: String]) throws(KafkaError) {
        rd_kafka_conf_destroy(try withProperties(properties))
    }

    /// A new configuration with the properties set (in key order, so the first bad one is always the same); freed
    /// again when one is rejected.
    private static func withProperties(_ properties: [String: String]) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        do {
            for (key, value) in properties.sorted(by: { $0.key < $1.key }) { try set(key, value, in: conf) }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        return conf
    }

    /// Sets one property; a wrong key or value names the key and librdkafka's reason.
    private static func set(_ key: String, _ value: String, in conf: OpaquePointer) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: errorTextCapacity)
        let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
        guard result == RD_KAFKA_CONF_OK else {
            let shown = KafkaConfiguration.isSecret(key) ? "[redacted]" : value
            throw KafkaError.invalidArgument(
                "invalid Kafka setting \(key)=\(shown): \(string(fromErrorText: errorText))")
        }
    }

    private static func logLevel(syslog level: Int32) -> Logger.Level {
        switch level {
        case ...3: return .error
        case 4: return .warning
        case 5, 6: return .info
        default: return .debug
        }
    }
}
