import Foundation
import Kafka
import Logging
import Recommender
import Serving
import StreamEngine
import Topology

/// The poll thread's side of a run: dispatch to the lanes and backpressure, rebalances (the tasks themselves are the
/// `TaskManager`'s), checkpoints (the `CheckpointCoordinator`'s) and recovery. Used only from the thread that runs
/// the loop (rebalances arrive inside `pollBatch` on that thread).
final class PollLoop: @unchecked Sendable {
    let options: WorkerOptions
    let producer: KafkaProducer
    let deliveries: DeliveryTracker
    let tasks: TaskManager
    let counts: Locked<WorkerStatistics>
    let serving: ServingView
    let announcer: InstanceAnnouncer?
    let logger: Logger
    let coordinator: CheckpointCoordinator
    var consumer: KafkaConsumer?
    // Bound: the assigned partitions.
    var paused: Set<TopicPartition> = []
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
        tasks = TaskManager(lanes: lanes, changelog: changelog, counts: counts)
        self.counts = counts
        self.serving = serving
        self.announcer = announcer
        self.logger = logger
        coordinator = CheckpointCoordinator(
            lanes: lanes, gates: gates, producer: producer, deliveries: deliveries, counts: counts, options: options)
    }

    var exactlyOnce: Bool { options.guarantee == .exactlyOnce }
    var lanes: [Lane<RecommendationPipeline>] { tasks.lanes }

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
                tasks.noteFirstOffset(partition, record.offset)
                perLane[tasks.lane(of: partition)].append(record)
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
            let owned = tasks.laneOf.filter { $0.value == index }.map(\.key).filter { !paused.contains($0) }
            guard !owned.isEmpty else { continue }
            // Waiting does not empty a full hold (only the next commit does): its lane is paused at once.
            if !holdFull, lane.waitUntilQueued(below: limit, timeout: Self.slowLaneGrace) { continue }
            toPause += owned
        }
        let toResume = paused.filter {
            let index = tasks.lane(of: $0)
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
        tasks.committed(checkpoint.partitions)
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
        let rewind = try tasks.rewindAll()
        // Not waited for (a blocking seek timed out on a loaded machine and failed the worker); the seek's version
        // barrier already keeps records fetched before it from being delivered.
        try consumer?.seek(rewind, timeoutMilliseconds: 0)
        if exactlyOnce { try producer.beginTransaction() }
    }

    // MARK: - Rebalances

    func rebalance(_ event: RebalanceEvent) -> [TopicPartitionOffset] {
        switch event {
        case .assigned(let partitions):
            let fresh = partitions.filter { tasks.laneOf[$0] == nil }
            let served = inputPartitions(of: fresh)
            serving.restoring(served)
            do {
                let starts = try tasks.assign(fresh)
                counts.withLock { $0.joined = true }
                serving.ready(served)
                announcer?.announce(partitions: serving.ownership.readyPartitions)
                return starts
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
            paused.subtract(partitions)
            tasks.revoke(partitions)
        }
        return []
    }

    /// The partitions of the input topic among `partitions`: the ones the HTTP API serves users of.
    private func inputPartitions(of partitions: [TopicPartition]) -> [Int32] {
        partitions.filter { $0.topic == options.topics.input }.map(\.partition)
    }
}
