/// A topic to create: name, partition count, replication factor and topic-level configs.
public struct TopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    /// Topic configs such as `cleanup.policy=compact` or `retention.ms`.
    public var configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }

    /// A compacted topic (latest value per key is kept): tables, changelogs, model registries.
    public static func compacted(_ name: String, partitions: Int, replicationFactor: Int = 1) -> TopicSpecification {
        TopicSpecification(
            name: name, partitions: partitions, replicationFactor: replicationFactor,
            configs: ["cleanup.policy": "compact"])
    }
}

/// What happened to one topic of a create request.
public enum TopicCreation: Sendable, Equatable {
    case created
    case alreadyExists
    case failed(KafkaError)
}
