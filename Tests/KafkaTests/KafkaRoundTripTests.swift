import Foundation
import Kafka
import StreamEngine
import Synchronization
import Testing

/// Settings that make the embedded cluster's group joins and rebalances take seconds, not the default 45 s.
func testConsumerConfiguration(_ cluster: EmbeddedCluster, group: String) -> KafkaConfiguration {
    var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
    configuration.groupID = group
    configuration.sessionTimeoutMilliseconds = 6_000
    configuration.heartbeatIntervalMilliseconds = 500
    return configuration
}

/// Polls until `count` messages arrived or the deadline passed.
func consume(_ consumer: KafkaConsumer, count: Int, seconds: Double = 20) -> [StreamRecord] {
    var messages: [StreamRecord] = []
    let deadline = Date().addingTimeInterval(seconds)
    while messages.count < count, Date() < deadline {
        messages += consumer.pollBatch(timeoutMilliseconds: 100)
    }
    return messages
}

@Suite("Kafka wrapper against the embedded cluster")
struct KafkaRoundTripTests {
    @Test func producedRecordsComeBackWithKeysHeadersAndDeliveryReports() throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic(TopicSpecification(name: "round-trip", partitions: 3))
        let delivered = Mutex<[DeliveryReport]>([])
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers),
            onDelivery: { report in delivered.withLock { $0.append(report) } })
        for index in 0..<30 {
            try producer.send(
                OutputRecord(
                    topic: "round-trip", key: Array("key-\(index % 5)".utf8), value: Array("value-\(index)".utf8),
                    timestamp: 1_700_000_000_000 + Int64(index),
                    headers: [RecordHeader("index", "\(index)"), RecordHeader(name: "empty", value: nil)]))
        }
        try producer.flush()
        let reports = delivered.withLock { $0 }
        #expect(reports.count == 30)
        #expect(reports.allSatisfy { $0.error == nil && $0.offset >= 0 })

        let consumer = try KafkaConsumer(configuration: testConsumerConfiguration(cluster, group: "g-round-trip"))
        try consumer.subscribe(["round-trip"])
        let messages = consume(consumer, count: 30)
        #expect(messages.count == 30)
        let byValue = Dictionary(
            uniqueKeysWithValues: messages.map { (String(decoding: $0.value!, as: UTF8.self), $0) })
        let seventh = try #require(byValue["value-7"])
        #expect(seventh.key == Array("key-2".utf8))
        #expect(seventh.header("index") == Array("7".utf8))
        #expect(seventh.headers.contains(RecordHeader(name: "empty", value: nil)))
        #expect(seventh.timestamp == 1_700_000_000_007)
        // Same key, same partition: the default partitioner keeps a key's records in order.
        let partitionsOfKey2 = Set(messages.filter { $0.key == Array("key-2".utf8) }.map(\.partition))
        #expect(partitionsOfKey2.count == 1)
        // ... and it is the partition Kafka's murmur2 partitioner names, as for any Java producer.
        for message in messages {
            #expect(message.partition == KeyPartitioner.partition(for: message.key!, partitionCount: 3))
        }
        try consumer.close()
    }

    @Test func committedOffsetsAreWhereARestartedMemberResumes() throws {
        let cluster = try EmbeddedCluster()
        try cluster.createTopic(TopicSpecification(name: "resume", partitions: 1))
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        for index in 0..<10 {
            try producer.send(OutputRecord(topic: "resume", key: nil, value: Array("\(index)".utf8)))
        }
        try producer.flush()

        do {
            let first = try KafkaConsumer(configuration: testConsumerConfiguration(cluster, group: "g-resume"))
            try first.subscribe(["resume"])
            let messages = consume(first, count: 10)
            #expect(messages.count == 10)
            // Commit only the first six as processed.
            try first.commit([TopicPartitionOffset(topic: "resume", partition: 0, offset: messages[5].offset + 1)])
            let committed = try first.committed([TopicPartition(topic: "resume", partition: 0)])
            #expect(committed.first?.offset == messages[5].offset + 1)
            try first.close()
        }
        let second = try KafkaConsumer(configuration: testConsumerConfiguration(cluster, group: "g-resume"))
        try second.subscribe(["resume"])
        let rest = consume(second, count: 4)
        #expect(rest.map { String(decoding: $0.value!, as: UTF8.self) } == ["6", "7", "8", "9"])
        try second.close()
    }

    @Test func rebalanceHandlerSeesAssignAndRevokeAndCanChooseStartOffsets() throws {
        let cluster = try EmbeddedCluster()
        try cluster.createTopic(TopicSpecification(name: "rebalance", partitions: 2))
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        for index in 0..<20 {
            try producer.send(
                OutputRecord(topic: "rebalance", partition: Int32(index % 2), key: nil, value: [UInt8(index)]))
        }
        try producer.flush()
        var events: [RebalanceEvent] = []
        let consumer = try KafkaConsumer(
            configuration: testConsumerConfiguration(cluster, group: "g-rebalance"),
            onRebalance: { event in
                events.append(event)
                guard case .assigned(let partitions) = event else { return [] }
                // Start partition 1 at offset 8 as a restored checkpoint would.
                return partitions.filter { $0.partition == 1 }.map { TopicPartitionOffset($0, offset: 8) }
            })
        try consumer.subscribe(["rebalance"])
        let messages = consume(consumer, count: 12)
        #expect(messages.filter { $0.partition == 0 }.count == 10)
        #expect(messages.filter { $0.partition == 1 }.map(\.offset) == [8, 9])
        #expect(try consumer.assignment().count == 2)
        try consumer.pause([TopicPartition(topic: "rebalance", partition: 0)])
        try consumer.resume([TopicPartition(topic: "rebalance", partition: 0)])
        try consumer.close()
        let assigned = TopicPartition(topic: "rebalance", partition: 0)
        #expect(events.first == .assigned([assigned, TopicPartition(topic: "rebalance", partition: 1)]))
        #expect(
            events.contains {
                if case .revoked(let parts, lost: false) = $0 { parts.contains(assigned) } else { false }
            })
    }
}

@Suite("Kafka wrapper errors")
struct KafkaErrorTests {
    @Test func anUnknownPropertyNamesTheKey() {
        var configuration = KafkaConfiguration(bootstrapServers: "localhost:9092")
        configuration.properties["no.such.setting"] = "1"
        #expect {
            _ = try KafkaProducer(configuration: configuration)
        } throws: { error in
            (error as? KafkaError)?.message.contains("no.such.setting") == true
        }
    }

    @Test func aBadSecretValueIsNotEchoed() {
        var configuration = KafkaConfiguration(bootstrapServers: "localhost:9092")
        configuration.properties["sasl.mechanism"] = "NOT-A-MECHANISM-hunter2"
        configuration.properties["sasl.password"] = "hunter2"
        #expect(!configuration.description.contains("hunter2") || configuration.description.contains("NOT-A"))
        #expect(configuration.description.contains("sasl.password=[redacted]"))
    }

    @Test func validationChecksNamesAndValuesWithoutConnecting() {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.groupID = "g"
        #expect(throws: Never.self) { try configuration.validate() }
        configuration.properties["session.timeout.ms"] = "not-a-number"
        #expect {
            try configuration.validate()
        } throws: { error in
            (error as? KafkaError)?.message.contains("session.timeout.ms") == true
        }
    }

    @Test func aConsumerWithoutGroupIsRejectedWithTheFix() {
        let configuration = KafkaConfiguration(bootstrapServers: "localhost:9092")
        #expect {
            _ = try KafkaConsumer(configuration: configuration)
        } throws: { error in
            (error as? KafkaError)?.message.contains("--group-id") == true
        }
    }

    @Test func createTopicsValidatesSpecificationsAndTimesOutOnABrokerWithoutAdmin() throws {
        let cluster = try EmbeddedCluster()
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        #expect {
            _ = try admin.createTopics([TopicSpecification(name: "bad", partitions: 0)])
        } throws: { error in
            (error as? KafkaError)?.message.contains("bad") == true
        }
        // The mock cluster has no CreateTopics handler (BROKERS.md): the call must come back with an error, not hang.
        let outcome = Result {
            try admin.createTopics([.compacted("table", partitions: 2)], timeoutMilliseconds: 1_500)
        }
        switch outcome {
        case .success(let results): #expect(results["table"] != .created)
        case .failure(let error): #expect(error is KafkaError)
        }
    }
}
