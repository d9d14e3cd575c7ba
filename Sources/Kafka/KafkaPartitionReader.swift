import CRdKafka
import Logging
import StreamEngine

/// Reads whole partitions from their first to their last record, outside any consumer group's assignment — what a
/// task restore needs from its changelog partition. Reads with the configuration's isolation level, so on a broker
/// with transactions it stops at the last stable offset and never sees aborted records.
public final class KafkaPartitionReader: @unchecked Sendable {
    private let client: RDKafkaClient
    private let queue: OpaquePointer
    private let batchSize: Int

    /// `configuration.groupID` is required by librdkafka 2.0 even without a subscription; nothing is committed.
    public init(
        configuration: KafkaConfiguration, logger: Logger = Logger(label: "streamrec.kafka.reader"),
        batchSize: Int = 10_000
    ) throws(KafkaError) {
        var properties = try configuration.consumerProperties()
        properties["enable.partition.eof"] = "true"
        client = try RDKafkaClient(
            kind: .consumer, properties: properties, callbacks: RDKafkaCallbacks(logger: logger, onError: { _ in }))
        rd_kafka_poll_set_consumer(client.handle)
        queue = rd_kafka_queue_get_consumer(client.handle)
        self.batchSize = batchSize
    }

    deinit {
        rd_kafka_queue_destroy(queue)
        rd_kafka_consumer_close(client.handle)
    }

    /// The first and the next-to-be-written offset of a partition, as the partition leader reports them.
    public func offsetRange(of partition: TopicPartition, timeoutMilliseconds: Int32 = 10_000) throws(KafkaError)
        -> Range<Int64>
    {
        try client.offsetRange(of: partition, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Calls `body` with every record of `partitions`, in offset order per partition, up to the end each partition
    /// had when the read started. Gives up with an error when no record arrives for `stallTimeoutMilliseconds`.
    public func readAll(
        _ partitions: [TopicPartition], stallTimeoutMilliseconds: Int = 60_000, _ body: (StreamRecord) -> Void
    ) throws(KafkaError) {
        var remaining: [TopicPartition: Int64] = [:]  // partition → end offset still to reach
        for partition in partitions {
            let range = try offsetRange(of: partition)
            if !range.isEmpty { remaining[partition] = range.upperBound }
        }
        guard !remaining.isEmpty else { return }
        let starts = remaining.keys.map { TopicPartitionOffset($0, offset: Int64(RD_KAFKA_OFFSET_BEGINNING)) }
        try RDKafkaTopicPartitionList.with(starts) { (list) throws(KafkaError) in
            try check(rd_kafka_assign(client.handle, list), while: "assigning partitions to read")
        }
        defer { rd_kafka_assign(client.handle, nil) }
        let batch = UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: batchSize)
        defer { batch.deallocate() }
        var idleSince = ContinuousClock.now
        while !remaining.isEmpty {
            let count = rd_kafka_consume_batch_queue(queue, 200, batch.baseAddress, batch.count)
            if count <= 0 {
                if ContinuousClock.now - idleSince > .milliseconds(stallTimeoutMilliseconds) {
                    throw KafkaError(
                        code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, name: "_TIMED_OUT",
                        message: "reading \(remaining.keys.sorted()) stalled for \(stallTimeoutMilliseconds) ms")
                }
                continue
            }
            idleSince = .now
            var failure: KafkaError?
            for index in 0..<Int(count) {
                guard let pointer = batch[index] else { continue }
                defer { rd_kafka_message_destroy(pointer) }
                let message = pointer.pointee
                let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                let partition = TopicPartition(topic: topic, partition: message.partition)
                if message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    remaining[partition] = nil  // the end as of now (with read_committed: the last stable offset)
                    continue
                }
                switch RDStreamRecord.convert(pointer) {
                case .success(let record):
                    guard let end = remaining[partition] else { continue }
                    body(record)
                    if record.offset + 1 >= end { remaining[partition] = nil }
                case .failure(let error):
                    failure = failure ?? error
                }
            }
            if let failure { throw failure }
        }
    }
}
