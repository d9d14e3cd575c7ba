import Kafka
import StreamEngine
import Testing

@Suite("Kafka transactions on the embedded cluster", .serialized)
struct TransactionTests {
    func transactional(_ cluster: EmbeddedCluster, id: String) throws -> KafkaProducer {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.transactionalID = id
        return try KafkaProducer(configuration: configuration)
    }

    @Test func outputsAndOffsetsCommitInOneTransactionAndATransactionCanBeAborted() throws {
        let cluster = try EmbeddedCluster()
        try cluster.createTopic(TopicSpecification(name: "in", partitions: 1))
        try cluster.createTopic(TopicSpecification(name: "out", partitions: 1))
        let consumer = try KafkaConsumer(configuration: testConsumerConfiguration(cluster, group: "g-txn"))
        try consumer.subscribe(["in"])
        let producer = try transactional(cluster, id: "txn-1")
        try producer.initTransactions()

        try producer.beginTransaction()
        for index in 0..<5 { try producer.send(OutputRecord(topic: "out", key: nil, value: [UInt8(index)])) }
        try producer.sendOffsetsToTransaction(
            [TopicPartitionOffset(topic: "in", partition: 0, offset: 5)], consumer: consumer)
        try producer.commitTransaction()

        try producer.beginTransaction()
        try producer.send(OutputRecord(topic: "out", key: nil, value: [99]))
        try producer.abortTransaction()

        // The producer goes on after an abort.
        try producer.beginTransaction()
        try producer.send(OutputRecord(topic: "out", key: nil, value: [6]))
        try producer.commitTransaction()

        let reader = try KafkaConsumer(configuration: testConsumerConfiguration(cluster, group: "g-txn-reader"))
        try reader.subscribe(["out"])
        let values = consume(reader, count: 6).compactMap { $0.value?.first }
        #expect(Array(values.prefix(5)) == [0, 1, 2, 3, 4])
        #expect(values.contains(6))
        try reader.close()
        try consumer.close()
    }

    // Fencing is not tested here: librdkafka 2.0.2's mock cluster lets an older producer with the same
    // transactional.id keep writing and committing after a newer one initialised (checked on this machine), so a
    // fencing test needs a real broker.

    @Test func transactionCallsWithoutATransactionalIdFailWithAClearError() throws {
        let cluster = try EmbeddedCluster()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        #expect(throws: KafkaError.self) { try producer.initTransactions(timeoutMilliseconds: 2_000) }
    }
}
