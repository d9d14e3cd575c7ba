import Recommender
import StreamEngine

/// The checks an input record passes before it is an event. Each failure is an `EventDecodingError` whose reason is
/// the record's dead-letter class. Every check reads the record alone, never the clock, so a restored task
/// classifies each record exactly as the first run did.
enum InputValidation {
    static func event(of record: StreamRecord, settings: PipelineSettings) throws(EventDecodingError) -> BehaviorEvent {
        let size = byteCount(of: record)
        guard size <= settings.maxRecordBytes else {
            throw EventDecodingError(
                .recordTooLarge,
                "\(size) bytes of key, value and headers; at most \(settings.maxRecordBytes) are accepted "
                    + "(--max-record-bytes) — a behavior event is a few hundred bytes")
        }
        guard let value = record.value else {
            throw EventDecodingError(
                .nullValue, "null value (tombstone): a behavior event is required, deletes are not supported here")
        }
        let event = try EventCodec.decode(value, format: .auto)
        // Against the record's Kafka timestamp, not the partition's newest event: after a quiet hour (or a replay
        // of old data) every new event would be "in the future" of the partition, and all of them would be lost.
        // Kafka bounds the timestamp itself (log.message.timestamp.after.max.ms, or LogAppendTime).
        if let written = record.timestamp, written > 0, event.timestamp - written > settings.maxFutureSkew {
            throw EventDecodingError(
                .timestampInFuture, field: "timestamp",
                "\(event.timestamp) is \(event.timestamp - written) ms after the record's Kafka timestamp \(written); "
                    + "at most \(settings.maxFutureSkew) ms ahead is accepted (--max-future-skew-ms) — "
                    + "check the producer's clock and time unit")
        }
        return event
    }

    /// Key, value and headers: what the record costs to read and to copy to the dead-letter topic.
    static func byteCount(of record: StreamRecord) -> Int {
        record.headers.reduce((record.key?.count ?? 0) + (record.value?.count ?? 0)) {
            $0 + $1.name.utf8.count + ($1.value?.count ?? 0)
        }
    }
}
