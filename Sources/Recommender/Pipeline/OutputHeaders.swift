import StreamEngine

/// Header names StreamRec writes.
public enum OutputHeaders {
    /// A deterministic id per output record (`topic:partition:offset:n` of the input that caused it), so a consumer
    /// can drop the duplicate a retried batch produces.
    public static let id = "streamrec-id"
    /// Why a record went to the dead-letter topic.
    public static let errorReason = "streamrec-error-reason"
    /// The class of a dead letter: an `EventDecodingError.Reason` (`missingField`, `recordTooLarge`, ...).
    public static let errorClass = "streamrec-error-class"
    /// `topic:partition:offset` of the original record in the dead-letter and late topics.
    public static let source = "streamrec-source"
    /// The surface of a `recommendations` record (`personalized`, `similar`, …), so a reader can route or filter
    /// lists without parsing them.
    public static let surface = "streamrec-surface"

    static func surface(_ surface: Surface) -> RecordHeader { RecordHeader(Self.surface, surface.rawValue) }

    static func id(for record: StreamRecord, sequence: Int) -> RecordHeader {
        // Written as bytes in one buffer: every output record has one, and interpolating a String first cost two
        // more allocations and the integer formatting of `description`.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(record.topic.utf8.count + 32)
        bytes += record.topic.utf8
        appendDecimal(Int64(record.partition), to: &bytes)
        appendDecimal(record.offset, to: &bytes)
        appendDecimal(Int64(sequence), to: &bytes)
        return RecordHeader(name: id, value: bytes)
    }

    /// `:` and the number in decimal.
    static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: ":"))
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// A window result's id is the window itself (`topic:key:windowStart`): each window fires once, and its id does
    /// not depend on which record happened to close it — that differs between runs when a task reads a repartition
    /// topic whose interleaving of upstream partitions is not fixed.
    static func id(window start: Int64, of key: String, in topic: String) -> RecordHeader {
        RecordHeader(id, "\(topic):\(key):\(start)")
    }

    /// The upstream partition, offset and ordinal of a record StreamRec wrote with an input-derived id.
    static func position(inID header: [UInt8]) -> (partition: Int32, offset: Int64, sequence: Int)? {
        let parts = header.split(separator: UInt8(ascii: ":"))
        guard parts.count >= 4 else { return nil }
        let number = { (index: Int) in Int64(String(decoding: parts[parts.count - 4 + index], as: UTF8.self)) }
        guard let partition = number(1).flatMap(Int32.init(exactly:)), let offset = number(2),
            let sequence = number(3).map(Int.init)
        else { return nil }
        return (partition, offset, sequence)
    }

    static func source(of record: StreamRecord) -> RecordHeader {
        RecordHeader(source, "\(record.topic):\(record.partition):\(record.offset)")
    }

    /// The original record on the dead-letter topic, with why (text and class) and where it came from.
    static func deadLetter(_ record: StreamRecord, to topic: String, _ error: EventDecodingError) -> OutputRecord {
        var letter = setAside(record, to: topic, reason: error.description)
        letter.headers.append(RecordHeader(errorClass, error.reason.rawValue))
        return letter
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
