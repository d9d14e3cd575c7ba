import Kafka
import StreamEngine

/// Finds partitions that have records to read but deliver none: a record the consumer cannot fetch, a leader that
/// answers nothing, a partition left paused. Such a partition is silent — no error, the other partitions go on —
/// so it is named: it makes the worker not ready, is logged as an error and shows in a metric until records come
/// again. Used on the poll thread only.
final class StallDetector {
    private let timeout: Duration
    /// Since when each assigned partition with lag has delivered nothing. Bound: one entry per assigned partition.
    private var quietSince: [TopicPartition: ContinuousClock.Instant] = [:]
    private(set) var stalled: Set<TopicPartition> = []

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// What changed in an `update`.
    struct Change: Equatable {
        var stalled: [TopicPartition] = []
        var recovered: [TopicPartition] = []
    }

    /// Re-evaluates every assigned partition: one is stalled when librdkafka's statistics show records behind its
    /// position (`lag`) and it delivered none (`delivered`) for the timeout. A paused partition (backpressure: its
    /// lane is busy, which the checkpoint stall covers) and one without lag are never stalled.
    func update(
        delivered: [StreamRecord], lag: [TopicPartition: Int64], assigned: some Sequence<TopicPartition>,
        paused: Set<TopicPartition>, now: ContinuousClock.Instant = .now
    ) -> Change {
        let progressed = Set(delivered.map(\.topicPartition))
        var since: [TopicPartition: ContinuousClock.Instant] = [:]
        var current: Set<TopicPartition> = []
        for partition in assigned {
            let waiting = (lag[partition] ?? 0) > 0 && !paused.contains(partition) && !progressed.contains(partition)
            let start = waiting ? quietSince[partition] ?? now : now
            since[partition] = start
            if now - start >= timeout { current.insert(partition) }
        }
        quietSince = since
        defer { stalled = current }
        return Change(stalled: current.subtracting(stalled).sorted(), recovered: stalled.subtracting(current).sorted())
    }
}
