import StreamEngine

/// Header names StreamRec writes.
public enum OutputHeaders {
    /// A deterministic id per output record (`topic:partition:offset:n` of the input that caused it), so a consumer
    /// can drop the duplicate a retried batch produces.
    public static let id = "streamrec-id"
    /// Why a record went to the dead-letter topic.
    public static let errorReason = "streamrec-error-reason"
    /// `topic:partition:offset` of the original record in the dead-letter and late topics.
    public static let source = "streamrec-source"

    static func id(for record: StreamRecord, sequence: Int) -> RecordHeader {
        RecordHeader(id, "\(record.topic):\(record.partition):\(record.offset):\(sequence)")
    }

    static func source(of record: StreamRecord) -> RecordHeader {
        RecordHeader(source, "\(record.topic):\(record.partition):\(record.offset)")
    }

    /// The original record, unchanged, with where it came from and why it was set aside.
    static func setAside(_ record: StreamRecord, to topic: String, reason: String) -> OutputRecord {
        OutputRecord(
            topic: topic, key: record.key, value: record.value, timestamp: record.timestamp,
            headers: record.headers + [
                RecordHeader(errorReason, reason), source(of: record), id(for: record, sequence: 0),
            ])
    }
}
