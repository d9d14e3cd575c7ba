import Foundation
import Histogram
import Recommender
import StreamEngine
import Topology

/// What a latency run observes, from several threads: when each event-triggered list was handed to the producer
/// (the worker's observer, on the lane threads), when a `read_committed` reader fetched it, and when each
/// checkpoint's transaction committed. A list is linked to its event by its `streamrec-id` header
/// (`<input topic>:partition:offset:n`) and carries the event's time as its record timestamp, so no table of
/// produced events is needed; the event's time is the wall clock when the bench produced it (1 ms resolution).
final class LatencyRecorder: Sendable {
    /// One list of an event: the event's time (ms) and when the list was sent (µs), both wall clock, and how many
    /// commits the worker had completed then (the next one commits the list).
    struct Sent: Sendable {
        var eventTime: Int64
        var sentAt: Int64
        var commitsBefore: Int
    }

    private let idPrefix: [UInt8]
    private let sent = Locked<[UInt64: Sent]>([:])
    private let fetched = Locked<[UInt64: Int64]>([:])
    private let commits = Locked<[Int64]>([])

    init(inputTopic: String) {
        idPrefix = Array("\(inputTopic):".utf8)
    }

    /// Wall clock in microseconds, comparable with event times (epoch milliseconds).
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    /// `commitsBefore`: the worker's commit count as the list was handed to its producer.
    func recordSent(_ record: OutputRecord, commitsBefore: Int) {
        guard let key = key(ofID: record.headers), let eventTime = record.timestamp else { return }
        let at = Self.now()
        sent.withLock { $0[key] = Sent(eventTime: eventTime, sentAt: at, commitsBefore: commitsBefore) }
    }

    func recordFetched(_ record: StreamRecord) {
        guard let key = key(ofID: record.headers) else { return }
        let at = Self.now()
        fetched.withLock { if $0[key] == nil { $0[key] = at } }
    }

    func recordCommit() {
        let at = Self.now()
        commits.withLock { $0.append(at) }
    }

    var fetchedCount: Int { fetched.withLock { $0.count } }
    var commitCount: Int { commits.withLock { $0.count } }

    /// Packs `partition:offset:n` of an id caused by an input record into one integer: ids of window lists and
    /// similar lists (not caused by one event) give nil.
    private func key(ofID headers: [RecordHeader]) -> UInt64? {
        guard let id = headers.first(where: { $0.name == OutputHeaders.id })?.value, id.starts(with: idPrefix) else {
            return nil
        }
        var fields: [UInt64] = []
        var current: UInt64 = 0
        for byte in id[idPrefix.count...] {
            if byte == UInt8(ascii: ":") {
                fields.append(current)
                current = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                current = current &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
            } else {
                return nil
            }
        }
        fields.append(current)
        guard fields.count == 3, fields[0] < 1 << 12, fields[1] < 1 << 40, fields[2] < 1 << 12 else { return nil }
        return fields[0] << 52 | fields[1] << 12 | fields[2]
    }

    /// Latencies of the lists of events whose time is in `window` (epoch ms): to sent, to fetched, and to visible
    /// for a `read_committed` reader — the later of its fetch and the commit of its transaction. The embedded
    /// broker has no transaction markers and shows a record before its commit; on Apache Kafka the reader gets it
    /// only after the commit. A record belongs to the commit after the ones completed when it was sent: lanes past a
    /// checkpoint barrier hand their outputs over only once the next transaction has begun.
    func latencies(ofEventsIn window: Range<Int64>) -> LatencyHistograms {
        let sent = self.sent.value
        let fetched = self.fetched.value
        let commits = self.commits.value
        var result = LatencyHistograms()
        for (key, list) in sent where window.contains(list.eventTime) {
            let eventAt = list.eventTime * 1_000
            result.sent.record(list.sentAt - eventAt)
            let fetchedAt = fetched[key]
            if let fetchedAt { result.fetched.record(fetchedAt - eventAt) }
            guard list.commitsBefore < commits.count else {
                result.uncommitted += 1
                continue
            }
            let commitAt = commits[list.commitsBefore]
            result.visible.record(max(fetchedAt ?? commitAt, commitAt) - eventAt)
        }
        return result
    }
}

/// Three latency distributions of one run, in microseconds.
struct LatencyHistograms {
    var sent = LatencyHistogram()
    var fetched = LatencyHistogram()
    var visible = LatencyHistogram()
    /// Lists sent after the last commit the run saw (none when the worker stopped cleanly).
    var uncommitted = 0
}

/// An HdrHistogram of microseconds, 3 significant digits, up to 10 minutes.
struct LatencyHistogram {
    private var histogram = Histogram<UInt64>(
        highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(_ microseconds: Int64) {
        _ = histogram.record(UInt64(max(0, min(microseconds, 600_000_000))))
    }

    var count: UInt64 { histogram.totalCount }

    /// `p50 12.3 ms  p99 45.6 ms  p99.9 78.9 ms  max 99.0 ms (n lists)`.
    var summary: String {
        guard count > 0 else { return "no lists" }
        let milliseconds = { (value: UInt64) in String(format: "%.1f ms", Double(value) / 1_000) }
        return
            "p50 \(milliseconds(histogram.valueAtPercentile(50)))  p99 \(milliseconds(histogram.valueAtPercentile(99)))  "
            + "p99.9 \(milliseconds(histogram.valueAtPercentile(99.9)))  max \(milliseconds(histogram.max)) "
            + "(\(count) lists)"
    }
}
