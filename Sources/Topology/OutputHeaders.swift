import Crypto
import Recommender
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
    /// On a set-aside record too large to copy whole (see `setAside`): the original's key, value and header bytes,
    /// counted as `--max-record-bytes` counts them.
    public static let originalBytes = "streamrec-original-bytes"
    /// On a truncated set-aside record: the SHA-256 (lower-case hex) of the original value, so the copy can be
    /// matched to the record it came from (`kcat -f '%s'` piped to `sha256sum`).
    public static let originalValueSHA256 = "streamrec-original-value-sha256"

    /// Made once per surface: every list carries one.
    static func surface(_ surface: Surface) -> RecordHeader {
        surfaceHeaders[Surface.allCases.firstIndex(of: surface)!]
    }
    private static let surfaceHeaders = Surface.allCases.map { RecordHeader(Self.surface, $0.rawValue) }

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
        // Swapped by index: `bytes[start...].reverse()` copied the slice into a new buffer (three allocations
        // per event of a features-only replay, a tenth of all of them in its malloc profile).
        var (low, high) = (start, bytes.count - 1)
        while low < high {
            bytes.swapAt(low, high)
            (low, high) = (low + 1, high - 1)
        }
    }

    /// A window result's id is the window itself (`topic:key:windowStart`): each window fires once, and its id does
    /// not depend on which record happened to close it — that differs between runs when a task reads a repartition
    /// topic whose interleaving of upstream partitions is not fixed.
    /// `stream` is the topic, or `topic/surface` for the lists of a window. Written as bytes, as `id(for:sequence:)`.
    static func id(window start: Int64, of key: String, in topic: String, surface: Surface? = nil) -> RecordHeader {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(topic.utf8.count + key.utf8.count + 36)
        bytes += topic.utf8
        if let surface {
            bytes.append(UInt8(ascii: "/"))
            bytes += surface.rawValue.utf8
        }
        bytes.append(UInt8(ascii: ":"))
        bytes += key.utf8
        appendDecimal(start, to: &bytes)
        return RecordHeader(name: id, value: bytes)
    }

    /// The upstream partition, offset and ordinal of a record StreamRec wrote with an input-derived id.
    /// Read from the end in place (an item task reads one per shuffle record): the last three `:`-separated fields,
    /// empty fields skipped, with at least one field before them.
    static func position(inID header: [UInt8]) -> (partition: Int32, offset: Int64, sequence: Int)? {
        var end = header.endIndex
        func previousField() -> ArraySlice<UInt8>? {
            while end > header.startIndex, header[end - 1] == UInt8(ascii: ":") { end -= 1 }
            guard end > header.startIndex else { return nil }
            var start = end
            while start > header.startIndex, header[start - 1] != UInt8(ascii: ":") { start -= 1 }
            defer { end = start }
            return header[start..<end]
        }
        guard let sequence = previousField().flatMap(decimal), let offset = previousField().flatMap(decimal),
            let partition = previousField().flatMap(decimal).flatMap(Int32.init(exactly:)), previousField() != nil
        else { return nil }
        return (partition, offset, Int(sequence))
    }

    /// An optionally signed decimal, as `Int64(String)` reads one; nil on anything else or on overflow.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int64? {
        var digits = digits
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdding) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow, !overflowAdding else { return nil }
            value = next
        }
        return value
    }

    static func source(of record: StreamRecord) -> RecordHeader {
        RecordHeader(source, "\(record.topic):\(record.partition):\(record.offset)")
    }

    /// The original record with where it came from and why it was set aside: unchanged when its key, value and
    /// headers fit in `limit` bytes, else truncated to them. A copy is never larger than an accepted input record,
    /// so one oversized record cannot make the copy undeliverable and stop every worker of the group on it (the
    /// start-up check keeps `limit` below the producer's `message.max.bytes`).
    static func setAside(_ record: StreamRecord, to topic: String, reason: String, limit: Int) -> OutputRecord {
        let ours = [RecordHeader(errorReason, clipped(reason)), source(of: record), id(for: record, sequence: 0)]
        let size = InputValidation.byteCount(of: record)
        guard size > limit else {
            return OutputRecord(
                topic: topic, key: record.key, value: record.value, timestamp: record.timestamp,
                headers: record.headers + ours)
        }
        // The first bytes of the key (at most a quarter of the limit) and of the value; the original headers are
        // left out (their bytes are in `originalBytes`).
        let key = record.key.map { Array($0.prefix(limit / 4)) }
        let value = record.value.map { Array($0.prefix(max(0, limit - (key?.count ?? 0)))) }
        let digest = SHA256.hash(data: record.value ?? [])
        return OutputRecord(
            topic: topic, key: key, value: value, timestamp: record.timestamp,
            headers: ours + [
                RecordHeader(originalBytes, String(size)),
                RecordHeader(originalValueSHA256, digest.map { hexDigits($0) }.joined()),
            ])
    }

    /// Longest reason text kept in a header, so the headers StreamRec adds stay within `deadLetterOverhead`.
    static let maxReasonBytes = 1_024

    /// Room a set-aside copy needs beyond `--max-record-bytes` in the producer's `message.max.bytes`: the headers
    /// added here (reason, source, id, class, size, digest) and Kafka's record and batch framing.
    public static let deadLetterOverhead = 4_096

    private static func clipped(_ reason: String) -> String {
        guard reason.utf8.count > maxReasonBytes else { return reason }
        return String(decoding: reason.utf8.prefix(maxReasonBytes - 3), as: UTF8.self) + "..."
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return byte < 16 ? "0" + digits : digits
    }
}
