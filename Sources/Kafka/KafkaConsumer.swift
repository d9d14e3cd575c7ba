import Logging
import StreamEngine

/// A change of the partitions this consumer owns, reported from inside `poll` before librdkafka applies it, so the
/// application can finish (revoke) or prepare (assign) the partitions' work first.
public enum RebalanceEvent: Sendable, Equatable {
    case assigned([TopicPartition])
    /// `lost` is true when the group already gave the partitions to someone else (e.g. after a session timeout):
    /// committing for them would be rejected, and their outputs may already be re-produced elsewhere.
    case revoked([TopicPartition], lost: Bool)
}

/// A group consumer with manual offset commits. Poll it from one thread at a time: the rebalance handler runs on the
/// polling thread, inside `poll`/`pollBatch`/`close`.
public final class KafkaConsumer: @unchecked Sendable {
    /// Decides what happens on a rebalance. For `.assigned` it may return start offsets that override the group's
    /// committed ones (a task restored from a checkpoint knows where to resume); return `[]` to keep them.
    public typealias RebalanceHandler = (RebalanceEvent) -> [TopicPartitionOffset]

    /// Also the client whose group metadata a transaction commits offsets for (`KafkaProducer+Transactions`).
    let client: RDKafkaConsumerClient
    /// Where the consumer is in its life (created, subscribed, closing, closed); every transition goes through it.
    private(set) var lifecycle = StateMachine()
    private let onError: @Sendable (KafkaError) -> Void
    // Bound: `maxPendingResets`; reported from librdkafka's threads.
    private let offsetResets: Locked<[OffsetResetEvent]>
    /// Resets kept between two `takeOffsetResets` (each assigned partition resets at most once until it is read).
    static let maxPendingResets = 10_000

    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "streamrec.kafka.consumer"),
        maxBatchSize: Int = 1_000,
        onError: @escaping @Sendable (KafkaError) -> Void = { _ in },
        onStatistics: (@Sendable (ConsumerStatistics) -> Void)? = nil,
        onRebalance: @escaping RebalanceHandler = { _ in [] }
    ) throws(KafkaError) {
        let properties = try configuration.consumerProperties()
        let resets = Locked<[OffsetResetEvent]>([])
        let callbacks = RDKafkaCallbacks(
            logger: logger, onError: onError,
            onOffsetReset: { reset in
                resets.withLock { if $0.count < Self.maxPendingResets { $0.append(reset) } }
            },
            onRebalance: onRebalance, onStatistics: Self.statisticsParser(onStatistics))
        offsetResets = resets
        self.onError = onError
        client = try RDKafkaConsumerClient(properties: properties, callbacks: callbacks, maxBatchSize: maxBatchSize)
    }

    deinit {
        // Dropped without `close`: leave the group anyway, so the partitions move on without a session timeout.
        if lifecycle.mustLeaveGroupOnDeinit { try? client.close() }
    }

    private static func statisticsParser(_ handler: (@Sendable (ConsumerStatistics) -> Void)?)
        -> (@Sendable (String) -> Void)?
    {
        guard let handler else { return nil }
        return { json in handler(ConsumerStatistics(json: json)) }
    }

    /// Joins the group for these topics (replacing an earlier subscription). Subscribing a consumer that is closing
    /// or closed is a programming error: it traps in debug builds and throws in release builds.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        try lifecycle.subscribe(to: topics) { (topics) throws(KafkaError) in try client.subscribe(topics) }
    }

    /// Reads up to the batch size of records, waiting at most `timeoutMilliseconds` for the first. Rebalance
    /// callbacks run inside. Per-partition errors (which librdkafka delivers as messages) go to `onError`.
    public func pollBatch(timeoutMilliseconds: Int32) -> [StreamRecord] {
        var messages: [StreamRecord] = []
        client.consumeBatch(timeoutMilliseconds: timeoutMilliseconds) { consumed in
            switch consumed {
            case .record(let message): messages.append(message)
            case .error(let error, _): onError(error)
            }
        }
        return messages
    }

    /// The offset resets librdkafka applied since the last call: partitions whose position was not in the log and
    /// that it moved by `auto.offset.reset`.
    public func takeOffsetResets() -> [OffsetResetEvent] {
        offsetResets.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
    }

    /// The first and the next-to-be-written offset of a partition, as its leader reports them. Blocks.
    public func offsetRange(of partition: TopicPartition, timeoutMilliseconds: Int32 = 10_000) throws(KafkaError)
        -> Range<Int64>
    {
        try client.offsetRange(of: partition, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Commits the given next-offsets synchronously.
    public func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try client.commit(offsets)
    }

    /// The group's committed next-offsets (`TopicPartitionOffset.invalid` where none is stored). Blocks.
    public func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int32 = 10_000) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try client.committed(partitions, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Moves assigned partitions to the given next-offsets; records already fetched for them are dropped, so the next
    /// poll returns the partition from that offset (a task rewound to its last checkpoint reads on from there).
    /// With a timeout of 0 the seek is only started: records from before it are still never delivered.
    public func seek(_ offsets: [TopicPartitionOffset], timeoutMilliseconds: Int32 = 10_000) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try client.seek(offsets, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Stops fetching these partitions (backpressure) without leaving the group.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try client.pause(partitions)
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try client.resume(partitions)
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        try client.assignment()
    }

    /// Leaves the group (running the final revoke through the rebalance handler, which may still commit). Safe to
    /// call twice; the consumer is closed afterwards even when leaving failed.
    public func close() throws(KafkaError) {
        guard lifecycle.startClosing() == .leaveGroup else { return }
        defer { lifecycle.finishClosing() }
        try client.close()
    }
}
