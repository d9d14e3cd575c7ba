import CRdKafka
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

    private let client: RDKafkaClient
    private let queue: OpaquePointer
    private var closed = false
    // Bound: one batch of message pointers, allocated once.
    private var batch: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>
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
            onRebalance: { handle, code, partitions in
                KafkaConsumer.rebalance(
                    handle: handle, code: code, partitions: partitions, handler: onRebalance, logger: logger)
            },
            onStatistics: Self.statisticsParser(onStatistics))
        offsetResets = resets
        client = try RDKafkaClient(kind: .consumer, properties: properties, callbacks: callbacks)
        // Route the main queue (callbacks) through the consumer queue so one poll serves both.
        rd_kafka_poll_set_consumer(client.handle)
        queue = rd_kafka_queue_get_consumer(client.handle)
        batch = .allocate(capacity: max(1, maxBatchSize))
    }

    deinit {
        if !closed { rd_kafka_consumer_close(client.handle) }
        rd_kafka_queue_destroy(queue)
        batch.deallocate()
    }

    private static func statisticsParser(_ handler: (@Sendable (ConsumerStatistics) -> Void)?)
        -> (@Sendable (String) -> Void)?
    {
        guard let handler else { return nil }
        return { json in handler(ConsumerStatistics(json: json)) }
    }

    public func subscribe(_ topics: [String]) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(topics.map { TopicPartition(topic: $0, partition: -1) }) {
            (list) throws(KafkaError) in
            try check(rd_kafka_subscribe(client.handle, list), while: "subscribing to \(topics.joined(separator: ","))")
        }
    }

    /// Reads up to the batch size of records, waiting at most `timeoutMilliseconds` for the first. Rebalance
    /// callbacks run inside. Per-partition errors (which librdkafka delivers as messages) go to `onError`.
    public func pollBatch(timeoutMilliseconds: Int32) -> [StreamRecord] {
        let count = rd_kafka_consume_batch_queue(queue, Int32(timeoutMilliseconds), batch.baseAddress, batch.count)
        guard count > 0 else { return [] }
        var messages: [StreamRecord] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            guard let pointer = batch[index] else { continue }
            switch RDStreamRecord.convert(pointer) {
            case .success(let message): messages.append(message)
            case .failure(let error): reportConsumeError(error)
            }
            rd_kafka_message_destroy(pointer)
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

    private func reportConsumeError(_ error: KafkaError) {
        guard let callbacks = RDKafkaCallbacks.from(rd_kafka_opaque(client.handle)) else { return }
        callbacks.onError(error)
    }

    /// Commits the given next-offsets synchronously.
    public func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try RDKafkaTopicPartitionList.with(offsets) { (list) throws(KafkaError) in
            try check(rd_kafka_commit(client.handle, list, 0), while: "committing offsets")
            if let error = RDKafkaTopicPartitionList.firstError(list, while: "committing offsets for") { throw error }
        }
    }

    /// The group's committed next-offsets (`TopicPartitionOffset.invalid` where none is stored). Blocks.
    public func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int32 = 10_000) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try RDKafkaTopicPartitionList.with(partitions) { (list) throws(KafkaError) in
            try check(rd_kafka_committed(client.handle, list, timeoutMilliseconds), while: "reading committed offsets")
            return RDKafkaTopicPartitionList.offsets(list)
        }
    }

    /// Runs `body` with the consumer's group metadata (member id, generation), which a transactional producer sends
    /// with the offsets so the broker can reject a commit from a member the group has moved past.
    func withGroupMetadata<T>(_ body: (OpaquePointer) throws(KafkaError) -> T) throws(KafkaError) -> T {
        guard let metadata = rd_kafka_consumer_group_metadata(client.handle) else {
            throw KafkaError.invalidArgument("the consumer has no group metadata (is group.id set?)")
        }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        return try body(metadata)
    }

    /// Moves assigned partitions to the given next-offsets; records already fetched for them are dropped, so the next
    /// poll returns the partition from that offset (a task rewound to its last checkpoint reads on from there).
    /// With a timeout of 0 the seek is only started: records from before it are still never delivered.
    public func seek(_ offsets: [TopicPartitionOffset], timeoutMilliseconds: Int32 = 10_000) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try RDKafkaTopicPartitionList.with(offsets) { (list) throws(KafkaError) in
            try check(rd_kafka_seek_partitions(client.handle, list, timeoutMilliseconds), while: "seeking")
            if let error = RDKafkaTopicPartitionList.firstError(
                list, while: "seeking", accepting: RD_KAFKA_RESP_ERR__IN_PROGRESS)
            {
                throw error
            }
        }
    }

    /// Stops fetching these partitions (backpressure) without leaving the group.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(partitions) { (list) throws(KafkaError) in
            try check(rd_kafka_pause_partitions(client.handle, list), while: "pausing partitions")
        }
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(partitions) { (list) throws(KafkaError) in
            try check(rd_kafka_resume_partitions(client.handle, list), while: "resuming partitions")
        }
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try check(rd_kafka_assignment(client.handle, &list), while: "reading the assignment")
        guard let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return RDKafkaTopicPartitionList.offsets(list).map(\.topicPartition)
    }

    /// Leaves the group (running the final revoke through the rebalance handler). Safe to call twice.
    public func close() throws(KafkaError) {
        guard !closed else { return }
        closed = true
        try check(rd_kafka_consumer_close(client.handle), while: "closing the consumer")
    }

    /// Applies a rebalance: the application's handler first, then librdkafka's (incremental) assign or unassign.
    private static func rebalance(
        handle: OpaquePointer, code: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        handler: RebalanceHandler, logger: Logger
    ) {
        // NULL once the group handler is terminating (a callback during the handle's destruction, seen in CI): its op
        // queue is closed, so an assign or unassign would wait forever for a reply (seen too). The application still
        // hears of the revocation; librdkafka drops the assignment itself.
        guard let protocolName = rd_kafka_rebalance_protocol(handle) else {
            if code != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
                _ = handler(.revoked(RDKafkaTopicPartitionList.offsets(partitions).map(\.topicPartition), lost: true))
            }
            logger.debug("rebalance callback while the group is terminating; nothing to apply")
            return
        }
        let cooperative = String(cString: protocolName) == "COOPERATIVE"
        let owned = RDKafkaTopicPartitionList.offsets(partitions).map(\.topicPartition)
        var failure: KafkaError?
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = Dictionary(
                handler(.assigned(owned)).map { ($0.topicPartition, $0.offset) }, uniquingKeysWith: { $1 })
            for index in 0..<Int(partitions.pointee.cnt) {
                let element = partitions.pointee.elems[index]
                let key = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                if let start = starts[key] { partitions.pointee.elems[index].offset = start }
            }
            failure =
                cooperative
                ? rd_kafka_incremental_assign(handle, partitions).map { KafkaError(consuming: $0, while: "assign") }
                : KafkaError(orNil: rd_kafka_assign(handle, partitions), while: "assign")
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            _ = handler(.revoked(owned, lost: rd_kafka_assignment_lost(handle) != 0))
            failure =
                cooperative
                ? rd_kafka_incremental_unassign(handle, partitions).map { KafkaError(consuming: $0, while: "unassign") }
                : KafkaError(orNil: rd_kafka_assign(handle, nil), while: "unassign")
        default:
            logger.error("rebalance failed: \(String(cString: rd_kafka_err2str(code))); dropping the assignment")
            _ = handler(.revoked(owned, lost: true))
            failure = KafkaError(orNil: rd_kafka_assign(handle, nil), while: "unassign")
        }
        if let failure { logger.error("applying the rebalance failed: \(failure)") }
    }
}
