import CRdKafka

/// librdkafka's transactional producer calls (exactly-once v2, KIP-447).
extension RDKafkaClient {
    func initTransactions(timeoutMilliseconds: Int32) throws(KafkaError) {
        try check(rd_kafka_init_transactions(handle, timeoutMilliseconds), while: "initialising transactions")
    }

    func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(handle), while: "beginning a transaction")
    }

    /// Adds next-offsets to the transaction, committed with it for the group `consumer` is a member of.
    func sendOffsetsToTransaction(
        _ offsets: [TopicPartitionOffset], groupOf consumer: RDKafkaConsumerClient, timeoutMilliseconds: Int32
    ) throws(KafkaError) {
        try consumer.withGroupMetadata { (metadata) throws(KafkaError) in
            try RDKafkaTopicPartitionList.with(offsets) { (list) throws(KafkaError) in
                try check(
                    rd_kafka_send_offsets_to_transaction(handle, list, metadata, timeoutMilliseconds),
                    while: "sending offsets to the transaction")
            }
        }
    }

    func commitTransaction(timeoutMilliseconds: Int32) throws(KafkaError) {
        try check(rd_kafka_commit_transaction(handle, timeoutMilliseconds), while: "committing the transaction")
    }

    func abortTransaction(timeoutMilliseconds: Int32) throws(KafkaError) {
        try check(rd_kafka_abort_transaction(handle, timeoutMilliseconds), while: "aborting the transaction")
    }
}
