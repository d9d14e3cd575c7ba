import Foundation
import StreamEngine
import Testing

@testable import Kafka

@Suite("Embedded cluster")
struct EmbeddedClusterTests {
    /// The mock's brokers kept Nagle's algorithm on, so the last small response of every burst waited for the
    /// client's delayed ACK and each producer flush took 40–50 ms. Every broker socket — the listeners and each
    /// connection they accepted, also after a broker was down — has it off.
    @Test func everyBrokerConnectionHasNagleOff() throws {
        let cluster = try EmbeddedCluster(brokers: 2)
        try cluster.createTopic(TopicSpecification(name: "nodelay", partitions: 4))
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        func sendToEveryPartition() throws {
            for partition in Int32(0)..<4 {
                try producer.send(OutputRecord(topic: "nodelay", partition: partition, key: nil, value: [1]))
            }
            try producer.flush(timeoutMilliseconds: 20_000)
        }
        try sendToEveryPartition()
        let sockets = cluster.brokerSockets
        #expect(sockets.count >= 3, "two listeners and at least one accepted connection")
        #expect(sockets.noDelay == sockets.count)

        try cluster.setBrokerDown(1)
        try cluster.setBrokerUp(1)
        try sendToEveryPartition()
        let afterRestart = cluster.brokerSockets
        #expect(afterRestart.count >= 3)
        #expect(afterRestart.noDelay == afterRestart.count)
    }
}
