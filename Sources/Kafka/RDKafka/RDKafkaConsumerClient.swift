import CRdKafka
import Logging
import StreamEngine

/// A consumer handle with its consumer queue: batch reads, the group calls (subscribe, commit, seek, pause, close)
/// and manual assignment. Read it from one thread at a time: the batch buffer is reused by every read.
final class RDKafkaConsumerClient: @unchecked Sendable {
    private let client: RDKafkaClient
    // Holds a reference on the consumer queue; released before `client` destroys the handle.
    private let queue: OpaquePointer
    // Bound: one batch of message pointers, allocated once.
    private let batch: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>

    init(properties: [String: String], callbacks: RDKafkaCallbacks, maxBatchSize: Int) throws(KafkaError) {
        client = try RDKafkaClient(kind: .consumer, properties: properties, callbacks: callbacks)
        // Route the main queue (callbacks) through the consumer queue so one poll serves both.
        rd_kafka_poll_set_consumer(client.handle)
        queue = rd_kafka_queue_get_consumer(client.handle)
        batch = .allocate(capacity: max(1, maxBatchSize))
    }

    deinit {
        rd_kafka_queue_destroy(queue)
        batch.deallocate()
    }

    /// Reads up to a batch of messages, waiting at most `timeoutMilliseconds` for the first, and hands each to
    /// `body` before librdkafka's copy is freed. Rebalance callbacks run inside. Returns how many messages arrived.
    @discardableResult
    func consumeBatch(timeoutMilliseconds: Int32, _ body: (RDKafkaConsumed) -> Void) -> Int {
        let count = rd_kafka_consume_batch_queue(queue, timeoutMilliseconds, batch.baseAddress, batch.count)
        guard count > 0 else { return 0 }
        for index in 0..<count {
            guard let pointer = batch[index] else { continue }
            defer { rd_kafka_message_destroy(pointer) }
            body(RDStreamRecord.convert(pointer))
        }
        return count
    }

    func subscribe(_ topics: [String]) throws(KafkaError) {
        try call(
            with: topics.map { TopicPartition(topic: $0, partition: -1) },
            while: "subscribing to \(topics.joined(separator: ","))"
        ) { rd_kafka_subscribe($0, $1) }
    }

    /// Commits the given next-offsets synchronously.
    func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(offsets) { (list) throws(KafkaError) in
            try check(rd_kafka_commit(client.handle, list, 0), while: "committing offsets")
            if let error = RDKafkaTopicPartitionList.firstError(list, while: "committing offsets for") { throw error }
        }
    }

    /// The group's committed next-offsets (`TopicPartitionOffset.invalid` where none is stored). Blocks.
    func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int32) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try RDKafkaTopicPartitionList.with(partitions) { (list) throws(KafkaError) in
            try check(rd_kafka_committed(client.handle, list, timeoutMilliseconds), while: "reading committed offsets")
            return RDKafkaTopicPartitionList.offsets(list)
        }
    }

    /// Moves assigned partitions to the given next-offsets; with a timeout of 0 the seek is only started.
    func seek(_ offsets: [TopicPartitionOffset], timeoutMilliseconds: Int32) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(offsets) { (list) throws(KafkaError) in
            try check(rd_kafka_seek_partitions(client.handle, list, timeoutMilliseconds), while: "seeking")
            // An asynchronous seek marks each partition `_IN_PROGRESS`: started, not failed.
            if let error = RDKafkaTopicPartitionList.firstError(
                list, while: "seeking", accepting: RD_KAFKA_RESP_ERR__IN_PROGRESS)
            {
                throw error
            }
        }
    }

    func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try call(with: partitions, while: "pausing partitions") { rd_kafka_pause_partitions($0, $1) }
    }

    func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try call(with: partitions, while: "resuming partitions") { rd_kafka_resume_partitions($0, $1) }
    }

    /// The partitions currently assigned to this member.
    func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try check(rd_kafka_assignment(client.handle, &list), while: "reading the assignment")
        guard let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return RDKafkaTopicPartitionList.offsets(list).map(\.topicPartition)
    }

    /// Assigns the partitions directly, outside any group's rebalance, each from its first retained record.
    func assignFromBeginning(_ partitions: [TopicPartition]) throws(KafkaError) {
        let starts = partitions.map { TopicPartitionOffset($0, offset: Int64(RD_KAFKA_OFFSET_BEGINNING)) }
        try RDKafkaTopicPartitionList.with(starts) { (list) throws(KafkaError) in
            try check(rd_kafka_assign(client.handle, list), while: "assigning partitions to read")
        }
    }

    /// Drops a direct assignment. Nothing is left to do when it fails: the partitions are no longer read either way.
    func unassign() {
        _ = rd_kafka_assign(client.handle, nil)
    }

    /// Leaves the group, running the final revoke through the rebalance callback. Blocks until it is done.
    func close() throws(KafkaError) {
        try check(rd_kafka_consumer_close(client.handle), while: "closing the consumer")
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

    func offsetRange(of partition: TopicPartition, timeoutMilliseconds: Int32) throws(KafkaError) -> Range<Int64> {
        try client.offsetRange(of: partition, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// One call that takes the handle and a partition list and answers with an error code.
    private func call(
        with partitions: [TopicPartition], while operation: String,
        _ function: (OpaquePointer, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> rd_kafka_resp_err_t
    ) throws(KafkaError) {
        try RDKafkaTopicPartitionList.with(partitions) { (list) throws(KafkaError) in
            try check(function(client.handle, list), while: operation)
        }
    }
}
