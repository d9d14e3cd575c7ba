import Foundation
import Kafka
import Logging
import Metrics
import Recommender
import StreamEngine

/// The Kafka edge of StreamRec: consumes the input and item-shuffle topics in a consumer group, pins each partition
/// to a lane (a thread with its tasks), sends the outputs, and commits input offsets only once the outputs they
/// caused are acknowledged (at-least-once). A crash between two commits replays at most one commit interval;
/// outputs carry a deterministic id header so readers can drop the replayed copies.
public final class Worker: Sendable {
    public let options: WorkerOptions
    private let logger: Logger
    private let counts = Locked(WorkerStatistics())
    private let lanes = Locked<[Lane<RecommendationPipeline>]>([])
    private let table: ItemTable
    private let observer: (@Sendable (OutputRecord) -> Void)?

    /// `observer` sees every output record as it is sent (the demo's live view uses it).
    public init(
        options: WorkerOptions, logger: Logger = Logger(label: "streamrec.worker"),
        observer: (@Sendable (OutputRecord) -> Void)? = nil
    ) throws(SettingsError) {
        try options.effectivePipeline.validate()
        guard options.lanes > 0 else { throw SettingsError("lanes must be positive, got \(options.lanes)") }
        self.options = options
        self.logger = logger
        self.observer = observer
        table = ItemTable(maxItems: options.pipeline.maxItems)
    }

    public var statistics: WorkerStatistics {
        var statistics = counts.value
        for lane in lanes.value {
            statistics.queuedRecords += lane.queuedRecords
            let summary = lane.summary
            statistics.pipeline += summary.counters
            statistics.users += summary.users
            statistics.items += summary.items
            statistics.assignedPartitions += summary.userPartitions
            statistics.assignedShufflePartitions += summary.itemPartitions
        }
        statistics.assignedPartitions.sort()
        statistics.assignedShufflePartitions.sort()
        statistics.tableItems = table.itemCount
        return statistics
    }

    /// Runs until `stop` is set, then commits what was processed and leaves the group. Blocks the calling thread.
    public func run(until stop: StopSignal) throws(KafkaError) {
        let logger = self.logger
        let deliveries = DeliveryTracker()
        let producer = try KafkaProducer(
            configuration: options.kafka, logger: logger,
            onError: { error in logger.warning("producer: \(error)") },
            onDelivery: { report in deliveries.record(report) })
        let tableReader = try GlobalTableReader(
            kafka: options.kafka, itemTable: options.topics.outputs.itemTable, catalog: options.topics.catalog,
            table: table, logger: logger)
        let settings = options.effectivePipeline
        let (counts, observer, table) = (self.counts, self.observer, self.table)
        let recommendationsTopic = settings.topics.recommendations
        // How old the event behind a list is when the list is sent: the freshness users see, end to end.
        let eventAge = Timer(label: "streamrec_recommendation_event_age_seconds", preferredDisplayUnit: .seconds)
        let lanes = (0..<options.lanes).map { index in
            Lane(index: index, tasks: RecommendationPipeline(settings: settings, table: table)) { outputs in
                let now = Int64(Date().timeIntervalSince1970 * 1_000)
                for output in outputs {
                    do throws(KafkaError) { try producer.send(output) } catch { deliveries.record(error) }
                    if output.topic == recommendationsTopic, let timestamp = output.timestamp, now >= timestamp {
                        eventAge.recordMilliseconds(now - timestamp)
                    }
                    observer?(output)
                }
                counts.withLock { $0.recordsProduced += outputs.count }
            }
        }
        self.lanes.withLock { $0 = lanes }
        let loop = PollLoop(options: options, producer: producer, deliveries: deliveries, lanes: lanes, counts: counts)
        var consumerConfiguration = options.kafka
        if consumerConfiguration.properties["statistics.interval.ms"] == nil {
            consumerConfiguration.properties["statistics.interval.ms"] = "5000"  // for the lag metrics
        }
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration, logger: logger, maxBatchSize: options.maxBatchSize,
            onError: { error in logger.warning("consumer: \(error)") },
            onStatistics: { statistics in counts.withLock { $0.consumerLag = statistics.lag } },
            onRebalance: { event in loop.rebalance(event) })
        loop.consumer = consumer
        // The consumer's rebalance handler holds the loop; releasing the loop's hold on the consumer breaks the
        // cycle, so both (and their connections) are gone when `run` returns.
        defer { loop.consumer = nil }
        try consumer.subscribe([options.topics.input, options.topics.outputs.itemShuffle])
        logger.info(
            "worker started",
            metadata: ["input": "\(options.topics.input)", "lanes": "\(options.lanes)", "kafka": "\(options.kafka)"])

        var failure: KafkaError?
        do throws(KafkaError) {
            var lastCommit = ContinuousClock.now
            let interval = Duration.milliseconds(options.commitIntervalMilliseconds)
            while !stop.isStopped {
                try loop.dispatch(consumer.pollBatch(timeoutMilliseconds: 100))
                producer.poll()
                if ContinuousClock.now - lastCommit >= interval {
                    try loop.commit()
                    lastCommit = .now
                }
                if let error = loop.failure { throw error }
            }
            try loop.commit()
            try consumer.close()
        } catch {
            failure = error
        }
        lanes.forEach { $0.stop() }
        do { try tableReader.close() } catch { logger.warning("global table reader: \(error)") }
        counts.withLock { $0.joined = false }
        if let failure = failure ?? loop.failure {
            counts.withLock { $0.failed = true }
            throw failure
        }
        logger.info("worker stopped", metadata: ["consumed": "\(statistics.recordsConsumed)"])
    }
}

/// The poll thread's side of a run: which lane owns which partition, backpressure, and commits. Used only from the
/// thread that runs the loop (rebalances arrive inside `pollBatch` on that thread).
private final class PollLoop: @unchecked Sendable {
    let options: WorkerOptions
    let producer: KafkaProducer
    let deliveries: DeliveryTracker
    let lanes: [Lane<RecommendationPipeline>]
    let counts: Locked<WorkerStatistics>
    var consumer: KafkaConsumer?
    // Bound: one entry per assigned partition.
    var laneOf: [TopicPartition: Int] = [:]
    var paused: Set<TopicPartition> = []
    /// Offsets processed but not yet committed, per partition.
    var uncommitted: [TopicPartition: Int64] = [:]
    /// A failure inside a rebalance callback, rethrown by the loop (callbacks cannot throw into librdkafka).
    var failure: KafkaError?

    init(
        options: WorkerOptions, producer: KafkaProducer, deliveries: DeliveryTracker,
        lanes: [Lane<RecommendationPipeline>], counts: Locked<WorkerStatistics>
    ) {
        self.options = options
        self.producer = producer
        self.deliveries = deliveries
        self.lanes = lanes
        self.counts = counts
    }

    /// Hands each record to the lane of its partition, then applies backpressure. While a lane's queue is over
    /// its bound the loop stops polling and waits for it (librdkafka's own bounded prefetch queue then stops
    /// fetching), which costs nothing when every lane is busy. A lane that stays full longer than
    /// `slowLaneGrace` has its partitions paused instead, so the other lanes get input again; they resume when its
    /// queue is down to a quarter. (Pausing is the exception: librdkafka 2.0 restarts a resumed partition's fetch
    /// slowly, measured at 18 k vs 72 k events/s when used on every overflow.)
    func dispatch(_ records: [StreamRecord]) throws(KafkaError) {
        if !records.isEmpty {
            var perLane = [[StreamRecord]](repeating: [], count: lanes.count)
            for record in records {
                perLane[laneOf[record.topicPartition] ?? 0].append(record)
            }
            for (lane, batch) in zip(lanes, perLane) { lane.submit(batch) }
            let input = records.reduce(0) { $0 + ($1.topic == options.topics.input ? 1 : 0) }
            counts.withLock {
                $0.recordsConsumed += input
                $0.shuffleRecordsConsumed += records.count - input
            }
        }
        let limit = options.maxQueuedPerLane
        var toPause: [TopicPartition] = []
        for (index, lane) in lanes.enumerated() where lane.queuedRecords > limit {
            let owned = laneOf.filter { $0.value == index }.map(\.key).filter { !paused.contains($0) }
            guard !owned.isEmpty, !lane.waitUntilQueued(below: limit, timeout: Self.slowLaneGrace) else { continue }
            toPause += owned
        }
        let toResume = paused.filter { lanes[laneOf[$0] ?? 0].queuedRecords <= limit / 4 }
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

    /// Waits until the lanes processed everything handed to them and the producer delivered every output, then
    /// commits the offsets of those inputs.
    func commit(only partitions: Set<TopicPartition>? = nil) throws(KafkaError) {
        let started = ContinuousClock.now
        defer {
            let elapsed = Int((ContinuousClock.now - started).inSeconds * 1_000)
            counts.withLock { $0.commitMilliseconds += elapsed }
        }
        for lane in lanes {
            lane.waitUntilIdle()
            uncommitted.merge(lane.takeProcessedOffsets()) { max($0, $1) }
        }
        guard !uncommitted.isEmpty else { return }
        try producer.flush()
        if let failure = deliveries.firstFailure {
            // Offsets stay uncommitted: the inputs are read again after a restart, so nothing is lost.
            throw KafkaError(
                code: failure.code, name: failure.name,
                message: "an output could not be delivered, offsets not committed: \(failure.message)")
        }
        let offsets = uncommitted.filter { partitions?.contains($0.key) ?? true }
            .map { TopicPartitionOffset($0.key, offset: $0.value) }.sorted { $0.topicPartition < $1.topicPartition }
        try consumer?.commit(offsets)
        for offset in offsets { uncommitted[offset.topicPartition] = nil }
        counts.withLock { $0.commits += 1 }
    }

    func rebalance(_ event: RebalanceEvent) -> [TopicPartitionOffset] {
        switch event {
        case .assigned(let partitions):
            var load = [Int](repeating: 0, count: lanes.count)
            for index in laneOf.values { load[index] += 1 }
            var opened = [[TopicPartition]](repeating: [], count: lanes.count)
            for partition in partitions where laneOf[partition] == nil {
                // The least loaded lane; ties go to the lowest index, so the pinning is stable for a given order.
                let index = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
                laneOf[partition] = index
                load[index] += 1
                opened[index].append(partition)
            }
            for (lane, batch) in zip(lanes, opened) where !batch.isEmpty { lane.open(batch) }
            counts.withLock { $0.joined = true }
        case .revoked(let partitions, let lost):
            if !lost {
                do { try commit(only: Set(partitions)) } catch { failure = error }
            }
            var closing = [[TopicPartition]](repeating: [], count: lanes.count)
            for partition in partitions {
                if let index = laneOf.removeValue(forKey: partition) { closing[index].append(partition) }
                uncommitted[partition] = nil
                paused.remove(partition)
            }
            for (lane, batch) in zip(lanes, closing) where !batch.isEmpty { lane.close(batch) }
        }
        return []
    }
}

/// Remembers the first output that could not be delivered; reports arrive on librdkafka's threads.
final class DeliveryTracker: Sendable {
    private let failure = Locked<KafkaError?>(nil)

    func record(_ report: DeliveryReport) {
        if let error = report.error { record(error) }
    }

    func record(_ error: KafkaError) {
        failure.withLock { if $0 == nil { $0 = error } }
    }

    var firstFailure: KafkaError? { failure.value }
}
