import Kafka
import Recommender

/// The topics a StreamRec deployment uses, with partition counts and compaction as ARCHITECTURE.md lists them.
public struct TopicLayout: Sendable, Equatable {
    public var input = "user-behavior"
    public var catalog = "item-catalog"
    public var models = "recsys-models"
    public var outputs = OutputTopics()
    /// Partitions of the input topic — the unit of parallelism and of state.
    public var inputPartitions = 4
    public var replicationFactor = 1

    public init() {}

    public var specifications: [TopicSpecification] {
        let partitions = inputPartitions
        let replicas = replicationFactor
        return [
            TopicSpecification(name: input, partitions: partitions, replicationFactor: replicas),
            .compacted(catalog, partitions: partitions, replicationFactor: replicas),
            .compacted(models, partitions: 1, replicationFactor: replicas),
            TopicSpecification(name: outputs.userFeatures, partitions: partitions, replicationFactor: replicas),
            TopicSpecification(name: outputs.recommendations, partitions: partitions, replicationFactor: replicas),
            TopicSpecification(name: outputs.deadLetter, partitions: partitions, replicationFactor: replicas),
            TopicSpecification(name: outputs.late, partitions: partitions, replicationFactor: replicas),
        ]
    }
}
