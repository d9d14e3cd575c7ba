import Foundation
import Kafka
import Logging
import Recommender
import Serving
import StreamEngine

/// The poll thread's side of a run: which lane owns which partition, backpressure, checkpoints, restores and
/// recovery. Used only from the thread that runs the loop (rebalances arrive inside `pollBatch` on that thread).
final class PollLoop: @unchecked Sendable {
    let options: WorkerOptions
    let producer: KafkaProducer
    let deliveries: DeliveryTracker
    let changelog: ChangelogRestore
    let lanes: [Lane<RecommendationPipeline>]
    let counts: Locked<WorkerStatistics>
    let serving: ServingView
    let announcer: InstanceAnnouncer?
    let logger: Logger
    let coordinator: CheckpointCoordinator
    var consumer: KafkaConsumer?
    // Bounds: one entry per assigned partition.
    var laneOf: [TopicPartition: Int] = [:]
    var paused: Set<TopicPartition> = []
    /// Where each task started reading when it has no checkpoint yet: a rewind goes back there.
    var firstOffsets: [TopicPartition: Int64] = [:]
    /// Why the tasks must be rewound to their last checkpoint, set where recovery cannot run (inside a callback).
    var recoveryNeeded: KafkaError?

    init(
        options: WorkerOptions, producer: KafkaProducer, deliveries: DeliveryTracker, changelog: ChangelogRestore,
        lanes: [Lane<RecommendationPipeline>], gates: [OutputGate], counts: Locked<WorkerStatistics>,
        serving: ServingView, announcer: InstanceAnnouncer?, logger: Logger
    ) {
        self.options = options
        self.producer = producer
        self.deliveries = deliveries
        self.changelog = changelog
        self.lanes = lanes
        self.counts = counts
        self.serving = serving
        self.announcer = announcer
        self.logger = logger
        coordinator = CheckpointCoordinator(
            lanes: lanes, gates: gates, producer: producer, deliveries: deliveries, counts: counts, options: options)
    }

    var exactlyOnce: Bool { options.guarantee == .exactlyOnce }

    /// Hands each record to the lane of its partition, then applies backpressure. While a lane's queue is over
    /// its bound the loop stops polling and waits for it (librdkafka's own bounded prefetch queue then stops
    /// fetching), which costs nothing when every lane is busy. A lane that stays full longer than
    /// `slowLaneGrace` has its partitions paused instead, so the other lanes get input again; they resume when its
    /// queue is down to a quarter. A lane whose `OutputGate` holds more than `maxHeldOutputsPerLane` outputs behind
    /// a checkpoint barrier is paused at once. (Pausing is the exception: librdkafka 2.0 restarts a resumed
    /// partition's fetch slowly, measured at 18 k vs 72 k events/s when used on every overflow.)
    func dispatch(_ records: [StreamRecord]) throws(KafkaError) {
        if !records.isEmpty {
            var perLane = [[StreamRecord]](repeating: [], count: lanes.count)
            for record in records {
                let partition = record.topicPartition
                if firstOffsets[partition] == nil { firstOffsets[partition] = record.offset }
                perLane[laneOf[partition] ?? 0].append(record)
            }
            for (lane, batch) in zip(lanes, perLane) { lane.submit(batch) }
            let input = records.reduce(0) { $0 + ($1.topic == options.topics.input ? 1 : 0) }
            counts.withLock {
                $0.recordsConsumed += input
                $0.shuffleRecordsConsumed += records.count - input
            }
        }
        let (limit, heldLimit) = (options.maxQueuedPerLane, options.maxHeldOutputsPerLane)
        let gates = coordinator.gates
        var toPause: [TopicPartition] = []
        for (index, lane) in lanes.enumerated() {
            let holdFull = gates[index].heldCount > heldLimit
            guard lane.queuedRecords > limit || holdFull else { continue }
            let owned = laneOf.filter { $0.value == index }.map(\.key).filter { !paused.contains($0) }
            guard !owned.isEmpty else { continue }
            // Waiting does not empty a full hold (only the next commit does): its lane is paused at once.
            if !holdFull, lane.waitUntilQueued(below: limit, timeout: Self.slowLaneGrace) { continue }
            toPause += owned
        }
        let toResume = paused.filter {
            let index = laneOf[$0] ?? 0
            return lanes[index].queuedRecords <= limit / 4 && gates[index].heldCount <= heldLimit / 4
        }
        if !toPause.isEmpty {
            try consumer?.pause(toPause)
            paused.formUnion(toPause)
        }
        if !toResume.isEmpty {
            try consumer?.resume(Array(toResume))
            paused.subtract(toResume)
        }
        let pausedCount = paused.count
        counts.withLock { $0.pausedPartitions = pausedCount }
    }

    /// How long the poll loop waits for one full lane before pausing its partitions.
    static let slowLaneGrace = Duration.milliseconds(500)

    // MARK: - Checkpoints

    /// Commits the checkpoint in flight once every lane has reached its barrier and starts the next when due, or,
    /// when that fails in a way a retry can fix, rewinds the tasks to the last one. Returns when the committed
    /// checkpoint's barrier was started (everything polled before then is committed); nil when none committed.
    func advanceCheckpoint() throws(KafkaError) -> ContinuousClock.Instant? {
        do throws(KafkaError) {
            return try coordinator.advance(consumer: consumer).map(committed)
        } catch {
            try recover(from: error)
            return nil
        }
    }

    /// A checkpoint of everything dispatched so far (waiting for the lanes), or, when that fails in a way a retry
    /// can fix, a rewind to the last one. Returns whether the checkpoint completed.
    @discardableResult
    func checkpointOrRecover() throws(KafkaError) -> Bool {
        do throws(KafkaError) {
            try coordinator.checkpointNow(consumer: consumer).forEach { _ = committed($0) }
            return true
        } catch {
            try recover(from: error)
            return false
        }
    }

    /// A task with a committed checkpoint rewinds to it, no longer to where it started reading.
    private func committed(_ checkpoint: CommittedCheckpoint) -> ContinuousClock.Instant {
        for partition in checkpoint.partitions { firstOffsets[partition] = nil }
        return checkpoint.started
    }

    /// Gives up everything since the last checkpoint and continues from it: the transaction is aborted, every task
    /// is restored from its changelog and its input rewound to the checkpoint's offset. Processing is
    /// deterministic, so the outputs sent again carry the same ids. A fatal error (a fenced producer) is thrown:
    /// another instance owns this transactional id, and this one must stop writing.
    func recover(from reason: KafkaError) throws(KafkaError) {
        guard !reason.isFatal else { throw reason }
        recoveryNeeded = nil
        logger.warning(
            "checkpoint failed, rewinding every task to its last checkpoint", metadata: ["reason": "\(reason)"])
        coordinator.abandon()
        if exactlyOnce { try producer.abortTransaction() }
        deliveries.reset()
        counts.withLock { $0.checkpointsAborted += 1 }
        let partitions = laneOf.keys.sorted()
        for (lane, batch) in zip(lanes, byLane(partitions)) where !batch.isEmpty { lane.close(batch) }
        lanes.forEach { _ = $0.takeProcessedOffsets() }
        let restored = try open(partitions, placing: false)
        var rewind: [TopicPartitionOffset] = []
        for partition in partitions {
            if let start = restored[partition]?.marker.nextOffset ?? firstOffsets[partition] {
                rewind.append(TopicPartitionOffset(partition, offset: start))
            }
        }
        // Not waited for (a blocking seek timed out on a loaded machine and failed the worker); the seek's version
        // barrier already keeps records fetched before it from being delivered.
        try consumer?.seek(rewind, timeoutMilliseconds: 0)
        if exactlyOnce { try producer.beginTransaction() }
    }

    /// Restores the tasks of `partitions` from the changelog and opens them on their lanes (choosing lanes first
    /// when `placing`). Returns the restored checkpoints.
    @discardableResult
    private func open(_ partitions: [TopicPartition], placing: Bool) throws(KafkaError) -> [TopicPartition:
        RestoredTask]
    {
        let started = ContinuousClock.now
        let restored = try changelog.restore(partitions)
        let elapsed = Int((ContinuousClock.now - started).inSeconds * 1_000)
        counts.withLock {
            $0.tasksRestored += restored.count
            $0.restoreMilliseconds += elapsed
        }
        if placing {
            var load = [Int](repeating: 0, count: lanes.count)
            for index in laneOf.values { load[index] += 1 }
            for partition in partitions where laneOf[partition] == nil {
                // The least loaded lane; ties go to the lowest index, so the pinning is stable for a given order.
                let index = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
                laneOf[partition] = index
                load[index] += 1
            }
        }
        for (lane, batch) in zip(lanes, byLane(partitions)) where !batch.isEmpty {
            do {
                try lane.open(batch, restoring: restored.filter { batch.contains($0.key) })
            } catch {
                throw KafkaError(code: -1, name: "CHANGELOG", message: error.description)
            }
        }
        return restored
    }

    /// Partitions (each with a lane) grouped by their lane, in lane order.
    private func byLane(_ partitions: [TopicPartition]) -> [[TopicPartition]] {
        var grouped = [[TopicPartition]](repeating: [], count: lanes.count)
        for partition in partitions { grouped[laneOf[partition]!].append(partition) }
        return grouped
    }

    // MARK: - Rebalances

    func rebalance(_ event: RebalanceEvent) -> [TopicPartitionOffset] {
        switch event {
        case .assigned(let partitions):
            let fresh = partitions.filter { laneOf[$0] == nil }
            let served = inputPartitions(of: fresh)
            serving.restoring(served)
            do {
                let restored = try open(fresh, placing: true)
                counts.withLock { $0.joined = true }
                serving.ready(served)
                announcer?.announce(partitions: serving.ownership.readyPartitions)
                return restored.map { TopicPartitionOffset($0.key, offset: $0.value.marker.nextOffset) }
            } catch {
                // Without their state the tasks cannot run; stop rather than process from scratch.
                recoveryNeeded = KafkaError(
                    code: error.code, name: error.name, message: "restoring \(fresh): \(error.message)", isFatal: true)
                return []
            }
        case .revoked(let partitions, let lost):
            serving.revoked(inputPartitions(of: partitions))
            announcer?.announce(partitions: serving.ownership.readyPartitions)
            if lost {
                recoveryNeeded =
                    recoveryNeeded
                    ?? KafkaError(
                        code: -1, name: "LOST", message: "partitions lost: \(partitions)", requiresAbort: true)
            } else if recoveryNeeded == nil {
                // The partitions' work so far is committed before another instance takes them over.
                do throws(KafkaError) {
                    try coordinator.checkpointNow(consumer: consumer).forEach { _ = committed($0) }
                } catch {
                    recoveryNeeded = error
                }
            }
            let closing = byLane(partitions.filter { laneOf[$0] != nil })
            for partition in partitions {
                laneOf[partition] = nil
                paused.remove(partition)
                firstOffsets[partition] = nil
            }
            for (lane, batch) in zip(lanes, closing) where !batch.isEmpty { lane.close(batch) }
        }
        return []
    }

    /// The partitions of the input topic among `partitions`: the ones the HTTP API serves users of.
    private func inputPartitions(of partitions: [TopicPartition]) -> [Int32] {
        partitions.filter { $0.topic == options.topics.input }.map(\.partition)
    }
}
