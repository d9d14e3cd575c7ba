import ArgumentParser
import Foundation
import Kafka
import Worker

/// `streamrec broker`: the embedded Kafka cluster on its own, for trying `run`, `produce` and `tail` as separate
/// processes on a machine without Kafka.
struct Broker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start an embedded Kafka cluster (librdkafka's mock brokers) with StreamRec's topics; print its "
            + "bootstrap address and run until interrupted.",
        discussion: """
            Not a real Kafka: no compaction, no transaction markers, ~5 MB kept per partition (see BROKERS.md). \
            Consumers in other processes need a low session timeout to rebalance quickly, e.g. \
            --config session.timeout.ms=6000 --config heartbeat.interval.ms=500.
            """)

    @Option(help: "Mock brokers.") var brokers = 1
    @Option(help: "Partitions of the input topic (and of the item shuffle topic).") var partitions = 4

    func run() throws {
        let cluster = try EmbeddedCluster(brokers: brokers)
        var layout = TopicLayout()
        layout.inputPartitions = partitions
        for specification in layout.specifications { try cluster.createTopic(specification) }
        // Written straight to the file descriptor, unbuffered, so a script reading it sees the address at once.
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        while !stop.isStopped { Thread.sleep(forTimeInterval: 0.2) }
        withExtendedLifetime((cluster, signals)) {}
    }
}
