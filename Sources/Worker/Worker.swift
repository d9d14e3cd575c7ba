import Foundation
import Kafka
import Logging
import Metrics
import Recommender
import Serving
import StreamEngine
import Topology

/// The Kafka edge of StreamRec: consumes the input and item-shuffle topics in a consumer group, pins each partition
/// to a lane (a thread with its tasks), sends the outputs, and takes checkpoints: every interval the tasks' state
/// changes go to the changelog and, with exactly-once, outputs, changelog and input offsets commit in one
/// transaction. A task assigned to this instance (start, restart, rebalance) is restored from the changelog first.
public final class Worker: Sendable {
    public let options: WorkerOptions
    private let logger: Logger
    private let counts = Locked(WorkerStatistics())
    /// Since when records are held that no completed checkpoint covers (nil: none).
    private let uncommittedSince = Locked<ContinuousClock.Instant?>(nil)
    private let lanes = Locked<[Lane<RecommendationPipeline>]>([])
    private let table: ItemTable
    /// The model versions every lane ranks with, fed from `recsys-models`.
    public let registry = ModelRegistry()
    /// The latest lists and features of the users this instance serves, for the HTTP API.
    public let serving: ServingView
    /// Which instance serves which input partition (from the instances topic).
    public let directory = InstanceDirectory()
    private let observer: (@Sendable (OutputRecord) -> Void)?

    /// `observer` sees every output record as it is sent (the demo's live view uses it).
    public init(
        options: WorkerOptions, logger: Logger = Logger(label: "streamrec.worker"),
        observer: (@Sendable (OutputRecord) -> Void)? = nil
    ) throws(SettingsError) {
        try options.effectivePipeline.validate()
        try RecordLimits.check(options)
        guard options.lanes > 0 else { throw SettingsError("lanes must be positive, got \(options.lanes)") }
        self.options = options
        self.logger = logger
        self.observer = observer
        table = ItemTable(maxItems: options.pipeline.maxItems, itemWindow: options.pipeline.itemWindow)
        serving = ServingView(
            inputPartitions: Int32(options.topics.inputPartitions), topics: options.effectivePipeline.topics,
            maxUsers: options.maxServedUsers, maxSubscribers: options.maxEventStreams)
    }

    /// The item table every instance holds whole (item features and neighbours for the HTTP API).
    public var itemTable: ItemTable { table }

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
        statistics.eventStreams = serving.subscriptions.subscriberCount
        statistics.maxEventStreams = options.maxEventStreams
        statistics.activeModel = registry.selection.active?.version
        if let since = uncommittedSince.value {
            statistics.stalled = ContinuousClock.now - since > .milliseconds(options.stallTimeoutMilliseconds)
        }
        return statistics
    }

    /// Transactions (or, with at-least-once, offset commits) completed so far; cheaper than `statistics` for a caller
    /// that asks per output: an output handed to the producer when this was n is committed by commit n + 1.
    public var commitCount: Int { counts.withLock { $0.commits } }

    /// The personalized feed the task owning the user would serve now, computed on its lane from the task's state (for
    /// the HTTP API when it kept no list of the user); nil when no lane of this instance holds the user.
    public func currentFeed(of userId: String) async -> Recommendation? {
        for lane in lanes.value {
            if let feed = await lane.read({ $0.currentFeed(of: userId) }) ?? nil { return feed }
        }
        return nil
    }

    /// How long one poll waits for a batch to fill. librdkafka 2.0.2's batch consume returns early only on a full
    /// batch, so in a stream slower than a batch per poll this is how long a record waits before it is dispatched,
    /// and how late a checkpoint whose barrier every lane has reached gets committed: small next to the checkpoint
    /// interval.
    static let pollTimeoutMilliseconds: Int32 = 10

    /// Runs until `stop` is set, then takes a last checkpoint and leaves the group. Blocks the calling thread.
    /// Throws on what cannot be retried: a fenced or otherwise fatal producer, a changelog that cannot be read.
    public func run(until stop: StopSignal) throws(KafkaError) {
        let logger = self.logger
        let deliveries = DeliveryTracker()
        var producerConfiguration = options.kafka
        if options.guarantee == .exactlyOnce { producerConfiguration.transactionalID = options.transactionalID }
        let producer = try KafkaProducer(
            configuration: producerConfiguration, logger: logger,
            onError: { error in logger.warning("producer: \(error)") },
            onDelivery: { report in deliveries.record(report) })
        if options.guarantee == .exactlyOnce {
            // Ends what an earlier incarnation with this id left open, and fences it if it is still running.
            try producer.initTransactions()
            try producer.beginTransaction()
        }
        let tableReader = try GlobalTableReader(
            kafka: options.kafka, itemTable: options.topics.outputs.itemTable, catalog: options.topics.catalog,
            models: options.topics.outputs.models, instances: options.topics.outputs.instances, table: table,
            registry: registry, directory: directory, logger: logger)
        let announcer = try options.httpAdvertise.map { address throws(KafkaError) in
            try InstanceAnnouncer(
                kafka: options.kafka, topic: options.topics.outputs.instances, address: address, logger: logger)
        }
        var readerConfiguration = options.kafka
        readerConfiguration.groupID = "\(options.kafka.groupID ?? "streamrec")-restore"
        let changelogReader = try KafkaPartitionReader(configuration: readerConfiguration, logger: logger)
        let settings = options.effectivePipeline
        let (counts, table, registry, serving) = (self.counts, self.table, self.registry, self.serving)
        // Outputs reach the producer through each lane's gate, which holds those behind a checkpoint barrier until
        // their transaction begins; the sink's observers therefore see an output when it really joins a transaction.
        let sink = ProducerSink(
            producer: producer, deliveries: deliveries, counts: counts,
            observers: [RecommendationAge(topic: settings.topics.recommendations)]
                + (observer.map { [EachOutput(body: $0)] } ?? []))
        let gates = (0..<options.lanes).map { _ in OutputGate(send: sink.send) }
        let lanes = gates.enumerated().map { index, gate in
            Lane(
                index: index, tasks: RecommendationPipeline(settings: settings, table: table, registry: registry),
                collector: KafkaRecordCollector(gate: gate, observers: [serving]))
        }
        self.lanes.withLock { $0 = lanes }
        let loop = PollLoop(
            options: options, producer: producer, deliveries: deliveries,
            changelog: ChangelogRestore(reader: changelogReader, settings: settings, logger: logger), lanes: lanes,
            gates: gates, counts: counts, serving: serving, announcer: announcer, logger: logger)
        var consumerConfiguration = options.kafka
        let resets = OffsetResets(
            kafka: options.kafka, exactlyOnce: options.guarantee == .exactlyOnce, counts: counts, logger: logger)
        let stalls = StallDetector(timeout: .milliseconds(options.stallTimeoutMilliseconds))
        if consumerConfiguration.properties["statistics.interval.ms"] == nil {
            consumerConfiguration.properties["statistics.interval.ms"] = "5000"  // for the lag metrics
        }
        if consumerConfiguration.properties["partition.assignment.strategy"] == nil {
            // A rebalance moves only the partitions that change owner; the others keep running with their state.
            consumerConfiguration.properties["partition.assignment.strategy"] = "cooperative-sticky"
        }
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration, logger: logger, maxBatchSize: options.maxBatchSize,
            onError: { error in
                logger.warning("consumer: \(error)")
                if error.isAllBrokersDown { counts.withLock { $0.brokersReachable = false } }
            },
            onStatistics: { statistics in
                counts.withLock {
                    $0.consumerLag = statistics.lag
                    $0.partitionLeaders = statistics.leaders
                    if let up = statistics.brokersUp { $0.brokersReachable = up > 0 }
                }
            },
            onRebalance: { event in loop.rebalance(event) })
        loop.consumer = consumer
        // The consumer's rebalance handler holds the loop; releasing the loop's hold on the consumer breaks the
        // cycle, so both (and their connections) are gone when `run` returns.
        defer { loop.consumer = nil }
        try consumer.subscribe(
            [options.topics.input, options.topics.outputs.itemShuffle, options.topics.outputs.training])
        logger.info(
            "worker started",
            metadata: [
                "input": "\(options.topics.input)", "lanes": "\(options.lanes)",
                "guarantee": "\(options.guarantee.rawValue)", "kafka": "\(options.kafka)",
            ])

        var failure: KafkaError?
        do throws(KafkaError) {
            let uncommittedSince = self.uncommittedSince
            var lastPolled: ContinuousClock.Instant?
            while !stop.isStopped {
                let records = consumer.pollBatch(timeoutMilliseconds: Self.pollTimeoutMilliseconds)
                if !records.isEmpty {
                    lastPolled = .now
                    uncommittedSince.withLock { $0 = $0 ?? .now }
                }
                try resets.handle(consumer.takeOffsetResets(), loop: loop, consumer: consumer)
                report(
                    stalls.update(
                        delivered: records, lag: counts.value.consumerLag, assigned: loop.tasks.assigned,
                        paused: loop.paused))
                try loop.dispatch(records)
                producer.poll()
                if let reason = loop.recoveryNeeded ?? deliveries.firstFailure {
                    try loop.recover(from: reason)
                } else if let covered = try loop.advanceCheckpoint() {
                    // What was polled before the barrier is committed; the oldest record still uncommitted (if any
                    // came since) is at most as old as the barrier.
                    uncommittedSince.withLock { $0 = lastPolled.map { $0 > covered } == true ? covered : nil }
                }
            }
            // librdkafka 2.0.2 asserts (aborting the process) when a cooperative-sticky consumer is destroyed between
            // its JoinGroup and its first assignment, so a stop during the join waits for the join, boundedly.
            let joinDeadline = ContinuousClock.now + .seconds(15)
            while !counts.value.joined, ContinuousClock.now < joinDeadline {
                try loop.dispatch(consumer.pollBatch(timeoutMilliseconds: 100))
            }
            try loop.checkpointOrRecover()
            try consumer.close()  // the final revocation checkpoints once more if a recovery reprocessed records
            if let reason = loop.recoveryNeeded { throw reason }
        } catch {
            failure = error
            logger.error("worker failed: \(error)")
            // Leave the group without a last checkpoint: what the failed run did since its last one is redone by
            // whoever gets the partitions next.
            loop.recoveryNeeded = loop.recoveryNeeded ?? error
            try? consumer.close()
        }
        lanes.forEach { $0.stop() }
        serving.revoked(serving.ownership.readyPartitions)
        announcer?.announce(partitions: [])
        announcer?.close()
        do { try tableReader.close() } catch { logger.warning("global table reader: \(error)") }
        counts.withLock { $0.joined = false }
        if let failure {
            counts.withLock { $0.failed = true }
            throw failure
        }
        logger.info("worker stopped", metadata: ["consumed": "\(statistics.recordsConsumed)"])
    }
}

extension Worker {
    /// Publishes what the stall detector found: readiness and the metric follow `stalledPartitions`.
    private func report(_ change: StallDetector.Change) {
        guard !change.stalled.isEmpty || !change.recovered.isEmpty else { return }
        for partition in change.stalled {
            let lag = counts.value.consumerLag[partition] ?? 0
            logger.error(
                "partition stalled: records to read, none delivered",
                metadata: [
                    "partition": "\(partition)", "lag": "\(lag)",
                    "stallTimeoutMs": "\(options.stallTimeoutMilliseconds)",
                ])
        }
        for partition in change.recovered {
            logger.info("partition delivers records again", metadata: ["partition": "\(partition)"])
        }
        counts.withLock { statistics in
            statistics.stalledPartitions = Array(
                Set(statistics.stalledPartitions).union(change.stalled).subtracting(change.recovered)
            ).sorted()
        }
    }
}

/// Remembers the first output that could not be delivered; reports arrive on librdkafka's threads.
final class DeliveryTracker: Sendable {
    private let failure = Locked<KafkaError?>(nil)

    func record(_ report: DeliveryReport) {
        if let error = report.error { record(error) }
    }

    func record(_ error: KafkaError) {
        failure.withLock { if $0 == nil { $0 = Self.stopping(on: error) } }
    }

    /// An output that can never be delivered (its topic is missing, or it is too large for it) stops the worker:
    /// rewinding would only fail again on the same record, and going on would skip it. The DLQ is an output too.
    static func stopping(on error: KafkaError) -> KafkaError {
        guard error.isPermanentForRecord else { return error }
        var fatal = error
        fatal.isFatal = true
        fatal.message =
            "\(error.message) — an output cannot be written, so the worker stops instead of skipping it: create the "
            + "topic (or raise its max.message.bytes) and restart; it resumes from its last checkpoint"
        return fatal
    }

    var firstFailure: KafkaError? { failure.value }

    /// Forgets the failure once the outputs it concerned are given up (their transaction aborted).
    func reset() { failure.withLock { $0 = nil } }
}
