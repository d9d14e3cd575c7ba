import StreamEngine

/// A partition whose position was not in its log (retention deleted the records, or the log was truncated), which
/// librdkafka moved by `auto.offset.reset`. librdkafka says so only in a warning in its log —
/// `user-behavior [12]: offset reset (at offset 10039 (leader epoch 0), broker 1) to offset BEGINNING (leader
/// epoch -1): fetch failed due to requested offset not available on the broker: Broker: Offset out of range` — so
/// this is read from that line.
public struct OffsetResetEvent: Sendable, Equatable {
    public var partition: TopicPartition
    /// The position that was not in the log.
    public var offset: Int64
    /// librdkafka's words after the partition.
    public var reason: String

    public init(partition: TopicPartition, offset: Int64, reason: String) {
        self.partition = partition
        self.offset = offset
        self.reason = reason
    }

    /// The reset a librdkafka `OFFSET` log line reports, or nil for any other line (and for a partition that had no
    /// position at all: `at offset INVALID` is a start, not a loss).
    public init?(logLine fullLine: String) {
        // librdkafka may prefix the thread: `[thrd:main]: user-behavior [12]: offset reset ...`.
        var line = Substring(fullLine)
        if line.hasPrefix("[thrd:"), let end = line.range(of: "]: ") { line = line[end.upperBound...] }
        guard let open = line.range(of: " ["), let close = line.range(of: "]: offset reset (at offset "),
            open.upperBound <= close.lowerBound, let partition = Int32(line[open.upperBound..<close.lowerBound])
        else { return nil }
        let digits = line[close.upperBound...].prefix { $0.isNumber || $0 == "-" }
        guard let offset = Int64(digits), offset >= 0 else { return nil }
        self.init(
            partition: TopicPartition(topic: String(line[..<open.lowerBound]), partition: partition), offset: offset,
            reason: String(line[open.upperBound...]))
    }
}
