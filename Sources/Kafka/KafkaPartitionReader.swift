import Logging
import StreamEngine

/// Reads whole partitions from their first to their last record, outside any consumer group's assignment — what a
/// task restore needs from its changelog partition. Reads with the configuration's isolation level, so on a broker
/// with transactions it stops at the last stable offset and never sees aborted records.
public final class KafkaPartitionReader: Sendable {
    private let client: RDKafkaConsumerClient

    /// `configuration.groupID` is required by librdkafka 2.0 even without a subscription; nothing is committed.
    public init(
        configuration: KafkaConfiguration, logger: Logger = Logger(label: "streamrec.kafka.reader"),
        batchSize: Int = 10_000
    ) throws(KafkaError) {
        var properties = try configuration.consumerProperties()
        properties["enable.partition.eof"] = "true"
        client = try RDKafkaConsumerClient(
            properties: properties, callbacks: RDKafkaCallbacks(logger: logger, onError: { _ in }),
            maxBatchSize: batchSize)
    }

    deinit {
        // Nothing to report to: the reader never joined a group, so closing only stops its fetchers.
        try? client.close()
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
        try client.assignFromBeginning(Array(remaining.keys))
        defer { client.unassign() }
        var idleSince = ContinuousClock.now
        while !remaining.isEmpty {
            var failure: KafkaError?
            let count = client.consumeBatch(timeoutMilliseconds: 200) { consumed in
                switch consumed {
                case .record(let record):
                    guard let end = remaining[record.topicPartition] else { return }
                    body(record)
                    if record.offset + 1 >= end { remaining[record.topicPartition] = nil }
                case .error(_, endOfPartition: let partition?):
                    remaining[partition] = nil  // the end as of now (with read_committed: the last stable offset)
                case .error(let error, endOfPartition: nil):
                    failure = failure ?? error
                }
            }
            if count <= 0 {
                if ContinuousClock.now - idleSince > .milliseconds(stallTimeoutMilliseconds) {
                    throw KafkaError.timedOut(
                        "reading \(remaining.keys.sorted()) stalled for \(stallTimeoutMilliseconds) ms")
                }
                continue
            }
            idleSince = .now
            if let failure { throw failure }
        }
    }
}
