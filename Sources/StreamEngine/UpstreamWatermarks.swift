/// Event-time progress of a task fed by a repartition topic, as Flink computes it for a keyed exchange: the minimum
/// of the watermarks its upstream tasks announced, each carried on the records they sent. A partition that has
/// sent nothing yet does not hold the minimum back, nor does one silent for longer than the idle timeout.
public struct UpstreamWatermarks: Sendable {
    public let idleTimeout: Duration?
    // Bound: one entry per upstream partition (the input topic's partition count).
    private var announced: [Int32: (watermark: Int64, heardAt: ContinuousClock.Instant)] = [:]

    public init(idleTimeout: Duration?) {
        self.idleTimeout = idleTimeout
    }

    public mutating func observe(upstream partition: Int32, watermark: Int64, at now: ContinuousClock.Instant) {
        let previous = announced[partition]?.watermark ?? .min
        announced[partition] = (max(previous, watermark), now)
    }

    /// The minimum over the upstream partitions that are not idle; `Int64.min` before any announced.
    public func watermark(at now: ContinuousClock.Instant) -> Int64 {
        var minimum = Int64.max
        for (_, entry) in announced {
            if let idleTimeout, now - entry.heardAt > idleTimeout { continue }
            minimum = min(minimum, entry.watermark)
        }
        if minimum == .max { return announced.values.map(\.watermark).max() ?? .min }
        return minimum
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
