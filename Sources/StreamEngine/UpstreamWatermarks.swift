/// Event-time progress of a task fed by a repartition topic, as Flink computes it for a keyed exchange: the minimum
/// of the watermarks announced by every upstream partition. A partition not heard from yet holds the minimum back
/// (its events may still come), unless it has been silent for longer than the idle timeout, like Flink's
/// `withIdleness`.
public struct UpstreamWatermarks: Sendable {
    public let partitions: Int32
    public let idleTimeout: Duration?
    private let created: ContinuousClock.Instant
    // Bound: one entry per upstream partition (the input topic's partition count).
    private var announced: [Int32: (watermark: Int64, heardAt: ContinuousClock.Instant)] = [:]

    public init(partitions: Int32, idleTimeout: Duration?, now: ContinuousClock.Instant = .now) {
        self.partitions = partitions
        self.idleTimeout = idleTimeout
        created = now
    }

    public mutating func observe(upstream partition: Int32, watermark: Int64, at now: ContinuousClock.Instant) {
        let previous = announced[partition]?.watermark ?? .min
        announced[partition] = (max(previous, watermark), now)
    }

    /// Any record from `partition` shows it is alive: it stays out of idleness (its watermark is unchanged). Without
    /// this, a partition that announces only every few minutes of event time could be taken for idle while its
    /// events are still flowing (a slow pipeline, a backlog), and its next events would be late.
    public mutating func heard(from partition: Int32, at now: ContinuousClock.Instant) {
        guard let previous = announced[partition] else {
            announced[partition] = (.min, now)
            return
        }
        announced[partition] = (previous.watermark, now)
    }

    /// The minimum over the upstream partitions that are not idle; `Int64.min` while one is still expected.
    public func watermark(at now: ContinuousClock.Instant) -> Int64 {
        var minimum = Int64.max
        for partition in 0..<partitions {
            let heardAt = announced[partition]?.heardAt ?? created
            if let idleTimeout, now - heardAt > idleTimeout { continue }
            minimum = min(minimum, announced[partition]?.watermark ?? .min)
        }
        // Every partition idle (the whole input paused): the slowest announcement still holds. Following the most
        // advanced one would make the others' next events late the moment the input resumes.
        if minimum == .max { return announced.values.map(\.watermark).min() ?? .min }
        return minimum
    }

    /// The watermark announced by each upstream partition heard from, for a checkpoint.
    public var announcedWatermarks: [(partition: Int32, watermark: Int64)] {
        announced.map { ($0.key, $0.value.watermark) }.sorted { $0.partition < $1.partition }
    }

    /// Takes back checkpointed announcements; their partitions count as heard from `now` (the restore).
    public mutating func restore(_ watermarks: [(partition: Int32, watermark: Int64)], at now: ContinuousClock.Instant)
    {
        for (partition, watermark) in watermarks { observe(upstream: partition, watermark: watermark, at: now) }
    }

    /// The header a task writes on each record it sends downstream: `partition:watermark`.
    public static let header = "streamrec-upstream-watermark"

    public static func encode(partition: Int32, watermark: Int64) -> RecordHeader {
        RecordHeader(header, "\(partition):\(watermark)")
    }

    public static func decode(_ record: StreamRecord) -> (partition: Int32, watermark: Int64)? {
        guard let value = record.headers.first(where: { $0.name == header })?.value else { return nil }
        let parts = value.split(separator: UInt8(ascii: ":"), maxSplits: 1)
        guard parts.count == 2, let partition = Int32(String(decoding: parts[0], as: UTF8.self)),
            let watermark = Int64(String(decoding: parts[1], as: UTF8.self))
        else { return nil }
        return (partition, watermark)
    }
}
