import CRdKafka
import StreamEngine

/// Kafka transactions (exactly-once v2, KIP-447): outputs and the input offsets they were computed from become
/// visible together or not at all. Requires `KafkaConfiguration.transactionalID`. Errors carry librdkafka's
/// classification: `requiresAbort` (abort, then retry from the last checkpoint) or `isFatal` (fenced by a newer
/// instance with the same id: stop writing).
extension KafkaProducer {
    /// Registers the transactional id with the coordinator, fencing any older producer that used it.
    public func initTransactions(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        try check(rd_kafka_init_transactions(handle, timeoutMilliseconds), while: "initialising transactions")
    }

    public func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(handle), while: "beginning a transaction")
    }

    /// Adds the consumer's next offsets to the transaction, committed with it for the consumer's group.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartitionOffset], consumer: KafkaConsumer, timeoutMilliseconds: Int32 = 30_000
    ) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try consumer.withGroupMetadata { (metadata) throws(KafkaError) in
            try RDKafkaTopicPartitionList.with(offsets) { (list) throws(KafkaError) in
                try check(
                    rd_kafka_send_offsets_to_transaction(handle, list, metadata, timeoutMilliseconds),
                    while: "sending offsets to the transaction")
            }
        }
    }

    /// Flushes the transaction's records and commits it.
    public func commitTransaction(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        try check(rd_kafka_commit_transaction(handle, timeoutMilliseconds), while: "committing the transaction")
    }

    /// Drops the transaction: its records are marked aborted (hidden from `read_committed` readers).
    public func abortTransaction(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        try check(rd_kafka_abort_transaction(handle, timeoutMilliseconds), while: "aborting the transaction")
    }
}
