import Foundation
import Kafka
import Recommender
import StreamEngine
import Topology

/// Checkpoints as aligned barriers (Flink's): `start` puts a barrier into every lane's queue at once and returns,
/// the poll loop keeps dispatching behind it, and once every lane has reached it `commit` writes what it covers —
/// the outputs emitted before it, the tasks' changelog records and the input offsets at it — in one transaction.
/// With exactly-once the outputs a lane produces behind the barrier wait in its `OutputGate` until the next
/// transaction has begun. One barrier is in flight at a time. Producer and consumer calls happen only on the poll
/// thread; the lanes only report that they reached the barrier.
final class CheckpointCoordinator: @unchecked Sendable {
    private let lanes: [Lane<RecommendationPipeline>]
    let gates: [OutputGate]
    private let producer: KafkaProducer
    private let deliveries: DeliveryTracker
    private let counts: Locked<WorkerStatistics>
    private let exactlyOnce: Bool
    private let interval: Duration

    /// What the lanes that reached the barrier in flight reported. Guarded by `condition`.
    private struct Barrier {
        var started: ContinuousClock.Instant
        /// Each lane's checkpoint records, nil until it reached the barrier.
        var records: [[OutputRecord]?]
        var offsets: [TopicPartition: Int64] = [:]

        var complete: Bool { records.allSatisfy { $0 != nil } }
    }

    private let condition = NSCondition()
    private var barrier: Barrier?
    /// Counts barriers, so that a lane reaching one that a recovery abandoned is not taken for the next one.
    private var generation = 0
    private var lastStarted = ContinuousClock.now

    init(
        lanes: [Lane<RecommendationPipeline>], gates: [OutputGate], producer: KafkaProducer,
        deliveries: DeliveryTracker, counts: Locked<WorkerStatistics>, options: WorkerOptions
    ) {
        self.lanes = lanes
        self.gates = gates
        self.producer = producer
        self.deliveries = deliveries
        self.counts = counts
        exactlyOnce = options.guarantee == .exactlyOnce
        interval = .milliseconds(options.checkpointIntervalMilliseconds)
    }

    /// Called on every turn of the poll loop: commits the barrier in flight once every lane has reached it, and
    /// otherwise starts the next one when the interval has passed since the last started. Never waits for a lane.
    /// Returns the checkpoint committed, if one was.
    ///
    /// Not both in one turn: the poll thread dispatched nothing while it committed, and the next turn hands what
    /// arrived meanwhile to the lanes ahead of the next barrier, so it joins the next transaction instead of being
    /// held for the one after.
    func advance(consumer: KafkaConsumer?) throws(KafkaError) -> CommittedCheckpoint? {
        if let reached = locked({ barrier?.complete == true ? barrier : nil }) {
            return try commit(reached, consumer: consumer)
        }
        if ContinuousClock.now - lastStarted >= interval { start() }
        return nil
    }

    /// A checkpoint of everything dispatched so far, waiting for the lanes: the barrier in flight first, then one
    /// behind all the records given to the lanes (a revoked partition's work, the last checkpoint before leaving).
    func checkpointNow(consumer: KafkaConsumer?) throws(KafkaError) -> [CommittedCheckpoint] {
        var committed: [CommittedCheckpoint] = []
        if locked({ barrier != nil }) { committed.append(try commit(waitForBarrier(), consumer: consumer)) }
        start()
        committed.append(try commit(waitForBarrier(), consumer: consumer))
        return committed
    }

    /// Forgets the barrier in flight and what the gates hold, after the lanes finished their queues: the
    /// transaction is being aborted and every task rewound to its last committed checkpoint.
    func abandon() {
        locked {
            generation += 1
            barrier = nil
        }
        lanes.forEach { $0.waitUntilIdle() }
        gates.forEach { $0.discard() }
    }

    private func start() {
        let generation = locked { () -> Int? in
            guard barrier == nil else { return nil }
            self.generation += 1
            barrier = Barrier(started: .now, records: Array(repeating: nil, count: lanes.count))
            return self.generation
        }
        guard let generation else { return }
        lastStarted = .now
        for (index, lane) in lanes.enumerated() {
            let gate = exactlyOnce ? gates[index] : nil
            lane.barrier { [self] records, offsets in
                // Before the lane's next batch: what follows belongs to the next transaction.
                gate?.hold()
                reached(index, records, offsets, generation: generation)
            }
        }
    }

    private func reached(
        _ lane: Int, _ records: [OutputRecord], _ offsets: [TopicPartition: Int64], generation: Int
    ) {
        locked {
            guard generation == self.generation, barrier != nil else { return }
            barrier!.records[lane] = records
            barrier!.offsets.merge(offsets) { max($0, $1) }
            condition.broadcast()
        }
    }

    private func waitForBarrier() -> Barrier {
        condition.lock()
        defer { condition.unlock() }
        while barrier?.complete == false { condition.wait() }
        return barrier!
    }

    /// Commits a barrier every lane reached: (1) the tasks' state changes go to the changelog and are flushed with
    /// every output sent before the barrier, (2) then the markers (each task's input offset and small state) are
    /// flushed, (3) then the input offsets are committed — with exactly-once in the same transaction as (1) and (2),
    /// after which the next transaction begins and the gates let the outputs behind the barrier into it. The order
    /// matters on a broker that shows aborted records: a marker is only ever visible once everything it covers is.
    private func commit(_ reached: Barrier, consumer: KafkaConsumer?) throws(KafkaError) -> CommittedCheckpoint {
        locked { barrier = nil }
        let started = ContinuousClock.now
        defer {
            let elapsed = Int((ContinuousClock.now - started).inSeconds * 1_000)
            counts.withLock { $0.commitMilliseconds += elapsed }
        }
        let records = reached.records.flatMap { $0 ?? [] }
        let checkpoint = CommittedCheckpoint(started: reached.started, partitions: Array(reached.offsets.keys))
        guard !reached.offsets.isEmpty else {
            // Nothing was processed before the barrier, so the open transaction holds nothing yet: the outputs
            // behind the barrier go into it, and the next checkpoint commits them with their offsets.
            gates.forEach { $0.release() }
            return checkpoint
        }
        let markers = records.filter { $0.key == Changelog.markerKey }
        try send(records.filter { $0.key != Changelog.markerKey })
        try send(markers)
        let committed = reached.offsets.map { TopicPartitionOffset($0.key, offset: $0.value) }.sorted {
            $0.topicPartition < $1.topicPartition
        }
        if exactlyOnce {
            if let consumer { try producer.sendOffsetsToTransaction(committed, consumer: consumer) }
            try producer.commitTransaction()
            counts.withLock { $0.commits += 1 }
            try producer.beginTransaction()
            gates.forEach { $0.release() }
        } else {
            try consumer?.commit(committed)
            counts.withLock { $0.commits += 1 }
        }
        counts.withLock { $0.changelogRecords += records.count }
        return checkpoint
    }

    /// Sends records and waits until every record sent so far is acknowledged.
    private func send(_ records: [OutputRecord]) throws(KafkaError) {
        for record in records {
            try producer.send(record)
        }
        try producer.flush()
        if let failure = deliveries.firstFailure {
            throw KafkaError(
                code: failure.code, name: failure.name, message: "an output was not delivered: \(failure.message)",
                isFatal: failure.isFatal, requiresAbort: true)
        }
    }

    private func locked<R>(_ body: () -> R) -> R {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}

/// A checkpoint the coordinator committed.
struct CommittedCheckpoint {
    /// When its barrier went into the lanes: every record dispatched before then is covered.
    var started: ContinuousClock.Instant
    /// The partitions whose tasks it checkpointed.
    var partitions: [TopicPartition]
}
