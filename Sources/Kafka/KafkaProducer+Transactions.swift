import StreamEngine

/// Kafka transactions (exactly-once v2, KIP-447): outputs and the input offsets they were computed from become
/// visible together or not at all. Requires `KafkaConfiguration.transactionalID`. Errors carry librdkafka's
/// classification: `requiresAbort` (abort, then retry from the last checkpoint) or `isFatal` (fenced by a newer
/// instance with the same id: stop writing).
extension KafkaProducer {
    /// Registers the transactional id with the coordinator, fencing any older producer that used it.
    public func initTransactions(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        try client.initTransactions(timeoutMilliseconds: timeoutMilliseconds)
    }

    public func beginTransaction() throws(KafkaError) {
        try client.beginTransaction()
    }

    /// Adds the consumer's next offsets to the transaction, committed with it for the consumer's group.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartitionOffset], consumer: KafkaConsumer, timeoutMilliseconds: Int32 = 30_000
    ) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try client.sendOffsetsToTransaction(
            offsets, groupOf: consumer.client, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Flushes the transaction's records and commits it.
    public func commitTransaction(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        try client.commitTransaction(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Drops the transaction: its records are marked aborted (hidden from `read_committed` readers).
    public func abortTransaction(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        try client.abortTransaction(timeoutMilliseconds: timeoutMilliseconds)
    }
}
