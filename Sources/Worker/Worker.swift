import Foundation
import Kafka
import Logging
import Recommender
import StreamEngine

/// The Kafka edge of StreamRec: consumes the input topic in a consumer group, drives the recommendation pipeline,
/// produces its outputs and commits input offsets only once the outputs they caused are acknowledged
/// (at-least-once). A crash between two commits replays at most one commit interval of input; outputs carry a
/// deterministic id header so readers can drop the replayed copies.
public final class Worker: Sendable {
    public let options: WorkerOptions
    private let logger: Logger
    private let state = Locked(WorkerStatistics())
    private let observer: (@Sendable (OutputRecord) -> Void)?

    /// `observer` sees every output record as it is sent (the demo's live view uses it).
    public init(
        options: WorkerOptions, logger: Logger = Logger(label: "streamrec.worker"),
        observer: (@Sendable (OutputRecord) -> Void)? = nil
    ) throws(SettingsError) {
        try options.pipeline.validate()
        self.options = options
        self.logger = logger
        self.observer = observer
    }

    public var statistics: WorkerStatistics { state.value }

    /// Runs until `stop` is set, then commits what was processed and leaves the group. Blocks the calling thread.
    public func run(until stop: StopSignal) throws(KafkaError) {
        let logger = self.logger
        let deliveries = DeliveryTracker()
        let producer = try KafkaProducer(
            configuration: options.kafka, logger: logger,
            onError: { error in logger.warning("producer: \(error)") },
            onDelivery: { report in deliveries.record(report) })
        let loop = ProcessingLoop(
            options: options, producer: producer, deliveries: deliveries, state: state, observer: observer)
        let consumer = try KafkaConsumer(
            configuration: options.kafka, logger: logger, maxBatchSize: options.maxBatchSize,
            onError: { error in logger.warning("consumer: \(error)") },
            onRebalance: { event in loop.rebalance(event) })
        loop.consumer = consumer
        try consumer.subscribe([options.topics.input])
        logger.info("worker started", metadata: ["input": "\(options.topics.input)", "kafka": "\(options.kafka)"])

        var lastCommit = ContinuousClock.now
        let interval = Duration.milliseconds(options.commitIntervalMilliseconds)
        while !stop.isStopped {
            let messages = consumer.pollBatch(timeoutMilliseconds: 100)
            try loop.process(messages)
            producer.poll()
            if ContinuousClock.now - lastCommit >= interval {
                try loop.commit()
                lastCommit = .now
            }
            if let failure = loop.failure { throw failure }
        }
        try loop.commit()
        try consumer.close()
        if let failure = loop.failure { throw failure }
        logger.info("worker stopped", metadata: ["consumed": "\(statistics.recordsConsumed)"])
    }
}

/// The state of one `Worker.run`: the pipeline, the offsets processed since the last commit, and the Kafka handles.
/// Used only from the thread that runs the loop (rebalances arrive inside `pollBatch` on that thread).
private final class ProcessingLoop: @unchecked Sendable {
    let options: WorkerOptions
    let producer: KafkaProducer
    let deliveries: DeliveryTracker
    let state: Locked<WorkerStatistics>
    let observer: (@Sendable (OutputRecord) -> Void)?
    var consumer: KafkaConsumer?
    var pipeline: RecommendationPipeline
    // Bound: one entry per assigned partition.
    var processed: [TopicPartition: Int64] = [:]
    // Bound: the outputs of one poll batch (maxBatchSize inputs, a few outputs each).
    var outputs: [OutputRecord] = []
    /// A failure inside a rebalance callback, rethrown by the loop (callbacks cannot throw into librdkafka).
    var failure: KafkaError?

    init(
        options: WorkerOptions, producer: KafkaProducer, deliveries: DeliveryTracker, state: Locked<WorkerStatistics>,
        observer: (@Sendable (OutputRecord) -> Void)?
    ) {
        self.options = options
        self.producer = producer
        self.deliveries = deliveries
        self.state = state
        self.observer = observer
        pipeline = RecommendationPipeline(settings: options.pipeline)
    }

    func process(_ messages: [StreamRecord]) throws(KafkaError) {
        guard !messages.isEmpty else { return }
        outputs.removeAll(keepingCapacity: true)
        for message in messages {
            pipeline.process(message, into: &outputs)
            processed[message.topicPartition] = message.offset + 1
        }
        for output in outputs {
            try producer.send(output)
            observer?(output)
        }
        let pipeline = self.pipeline
        state.withLock { statistics in
            statistics.recordsConsumed += messages.count
            statistics.recordsProduced += outputs.count
            statistics.pipeline = pipeline.counters
            statistics.users = pipeline.userCount
            statistics.items = pipeline.items.itemCount
        }
    }

    /// Waits for every output sent so far, then commits the offsets of the inputs that caused them.
    func commit(only partitions: Set<TopicPartition>? = nil) throws(KafkaError) {
        guard !processed.isEmpty else { return }
        try producer.flush()
        if let failure = deliveries.firstFailure {
            // Offsets stay uncommitted: the inputs are read again after a restart, so nothing is lost.
            throw KafkaError(
                code: failure.code, name: failure.name,
                message: "an output could not be delivered, offsets not committed: \(failure.message)")
        }
        let offsets = processed.filter { partitions?.contains($0.key) ?? true }
            .map { TopicPartitionOffset($0.key, offset: $0.value) }.sorted { $0.topicPartition < $1.topicPartition }
        try consumer?.commit(offsets)
        for offset in offsets { processed[offset.topicPartition] = nil }
        state.withLock { $0.commits += 1 }
    }

    func rebalance(_ event: RebalanceEvent) -> [TopicPartitionOffset] {
        switch event {
        case .assigned(let partitions):
            for partition in partitions { pipeline.assign(partition.partition) }
        case .revoked(let partitions, let lost):
            if !lost {
                do {
                    try commit(only: Set(partitions))
                } catch {
                    failure = error
                }
            }
            for partition in partitions {
                pipeline.revoke(partition.partition)
                processed[partition] = nil
            }
        }
        let assigned = pipeline.assignedPartitions
        state.withLock { $0.assignedPartitions = assigned }
        return []
    }
}

/// Remembers the first output that librdkafka gave up delivering; reports arrive on librdkafka's threads.
final class DeliveryTracker: Sendable {
    private let failure = Locked<KafkaError?>(nil)

    func record(_ report: DeliveryReport) {
        guard let error = report.error else { return }
        failure.withLock { if $0 == nil { $0 = error } }
    }

    var firstFailure: KafkaError? { failure.value }
}
