import CRdKafka
import StreamEngine

/// What one message of a consumer's batch was.
enum RDKafkaConsumed {
    case record(StreamRecord)
    /// An event librdkafka delivers in place of a record, such as a fetch error. `endOfPartition` names the
    /// partition when the event only says that its end is reached (`enable.partition.eof`).
    case error(KafkaError, endOfPartition: TopicPartition?)
}

enum RDStreamRecord {
    /// Copies a consumed record out of librdkafka's buffer, or the event the "message" is instead.
    static func convert(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>) -> RDKafkaConsumed {
        let message = pointer.pointee
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        guard message.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let detail = message.payload.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
            let end =
                message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF
                ? TopicPartition(topic: topic, partition: message.partition) : nil
            return .error(
                KafkaError(message.err, while: "consuming \(topic)[\(message.partition)]", detail: detail),
                endOfPartition: end)
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(pointer, &timestampType)
        return .record(
            StreamRecord(
                topic: topic,
                partition: message.partition,
                offset: message.offset,
                key: bytes(message.key, message.key_len),
                value: bytes(message.payload, message.len),
                timestamp: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp,
                headers: headers(pointer)))
    }

    /// The outcome of a produced record, from the message librdkafka hands its delivery callback.
    static func deliveryReport(_ message: rd_kafka_message_t) -> DeliveryReport {
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let error: KafkaError? =
            message.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(message.err, while: "delivering to \(topic)")
        return DeliveryReport(topic: topic, partition: message.partition, offset: message.offset, error: error)
    }

    private static func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func headers(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> [RecordHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        return (0..<rd_kafka_header_cnt(list)).compactMap { index in
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                let name
            else { return nil }
            return RecordHeader(
                name: String(cString: name), value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) })
        }
    }
}
