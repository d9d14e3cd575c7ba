import Kafka
import Recommender
import Topology

/// The topics a StreamRec deployment uses, with partition counts and compaction as ARCHITECTURE.md lists them.
public struct TopicLayout: Sendable, Equatable {
    public var input = "user-behavior"
    public var catalog = "item-catalog"
    public var outputs = OutputTopics()
    /// Partitions of the input topic — the unit of parallelism and of state. The item shuffle topic has as many.
    public var inputPartitions = 4
    public var replicationFactor = 1

    public init() {}

    public var specifications: [TopicSpecification] {
        let partitions = inputPartitions
        let replicas = replicationFactor
        let plain = { (name: String) in
            TopicSpecification(name: name, partitions: partitions, replicationFactor: replicas)
        }
        return [
            plain(input),
            .compacted(catalog, partitions: partitions, replicationFactor: replicas),
            // One partition: versions and the control record stay in the order they were written.
            .compacted(outputs.models, partitions: 1, replicationFactor: replicas),
            // One partition: one trainer per group, chosen by Kafka's assignment.
            TopicSpecification(name: outputs.training, partitions: 1, replicationFactor: replicas),
            plain(outputs.userFeatures),
            plain(outputs.itemFeatures),
            plain(outputs.recommendations),
            plain(outputs.deadLetter),
            plain(outputs.late),
            plain(outputs.itemShuffle),
            .compacted(outputs.itemTable, partitions: partitions, replicationFactor: replicas),
            .compacted(outputs.changelog, partitions: 2 * partitions + 1, replicationFactor: replicas),
            .compacted(outputs.instances, partitions: 1, replicationFactor: replicas),
        ]
    }
}
