import StreamEngine

/// Where the pipeline writes. Defaults are the topic names of ARCHITECTURE.md.
public struct OutputTopics: Sendable, Equatable {
    public var userFeatures = "user-features"
    public var itemFeatures = "item-features"
    public var recommendations = "recommendations"
    public var deadLetter = "user-behavior.dlq"
    public var late = "user-behavior.late"
    /// Internal: events re-keyed by itemId, partitioned with murmur2 like the input.
    public var itemShuffle = "streamrec-item-shuffle"
    /// Internal, compacted: the latest row per item, read by every instance.
    public var itemTable = "streamrec-item-table"
    /// Internal, compacted: every task's state checkpoints. User task p writes partition p, item task p writes
    /// partition `shufflePartitions + p`, so the topic has twice the input's partitions.
    public var changelog = "streamrec-changelog"

    public init() {}

    /// Internal topics are named after the application id, as Kafka Streams does: `<app>-item-shuffle`.
    public init(applicationID: String) {
        itemShuffle = "\(applicationID)-item-shuffle"
        itemTable = "\(applicationID)-item-table"
        changelog = "\(applicationID)-changelog"
    }
}

/// Everything the pipeline's behaviour depends on; each bound here is a memory bound of the worker.
public struct PipelineSettings: Sendable, Equatable {
    public var topics = OutputTopics()
    /// Items per recommendation list.
    public var topN = 10
    /// Past interactions kept per user (ring buffer).
    public var historySize = 50
    /// Tumbling event-time window of the user features.
    public var userWindow: Int64 = 5 * 60_000
    /// How far behind the newest event time an event may arrive and still count in its window.
    public var maxOutOfOrderness: Int64 = 5_000
    /// Users kept per task (input partition); the least recently active is evicted beyond it.
    public var maxUsersPerTask = 100_000
    /// A user with no event for this long (event time) is dropped.
    public var userTTL: Int64 = 24 * 3_600_000
    /// Items in the local copy of the global item table (ranking); the least recently updated is evicted beyond it.
    public var maxItems = 200_000
    /// Categories remembered per user.
    public var maxCategoriesPerUser = 20
    /// Half-life of a user's category interest.
    public var interestHalfLife: Int64 = 30 * 60_000
    /// Minimum event time between two recommendation lists for one user; 0 emits one per event.
    public var recommendationInterval: Int64 = 0
    /// Partitions of the item shuffle topic (the same count as the input topic).
    public var shufflePartitions: Int32 = 4
    /// Tumbling event-time window of the item features.
    public var itemWindow: Int64 = 10 * 60_000
    /// Items kept per item task (shuffle partition); the least recently active is evicted beyond it.
    public var maxItemsPerTask = 200_000
    /// An item with no event for this long (event time) is dropped from its item task.
    public var itemTTL: Int64 = 7 * 24 * 3_600_000
    /// Minimum event time between two item-table rows for one item (window closes always publish).
    public var tableUpdateInterval: Int64 = 1_000
    /// An upstream partition silent this long (processing time) stops holding back the item tasks' event time.
    public var idleTimeout: Duration? = .seconds(30)
    /// Whether tasks record their state changes for checkpoints (the Kafka worker writes them to the changelog).
    public var checkpointing = false
    /// Weights of the behaviours in popularity and interest.
    public var behaviorWeights = BehaviorWeights()

    public init() {}

    /// The changelog partition of the task that reads `partition` of `topic` (see `OutputTopics.changelog`).
    public func changelogPartition(ofTaskReading topic: String, partition: Int32) -> Int32 {
        topic == topics.itemShuffle ? shufflePartitions + partition : partition
    }

    /// The input partition (of `inputTopic`, or of the item shuffle) whose task writes `changelogPartition`.
    public func taskPartition(ofChangelogPartition changelogPartition: Int32, inputTopic: String) -> TopicPartition {
        changelogPartition < shufflePartitions
            ? TopicPartition(topic: inputTopic, partition: changelogPartition)
            : TopicPartition(topic: topics.itemShuffle, partition: changelogPartition - shufflePartitions)
    }

    /// Checks the values a user can set; the message names the setting and what to do.
    public func validate() throws(SettingsError) {
        func positive(_ value: Int64, _ name: String) throws(SettingsError) {
            if value <= 0 { throw SettingsError("\(name) must be positive, got \(value)") }
        }
        try positive(Int64(topN), "top-n")
        try positive(Int64(historySize), "history-size")
        try positive(userWindow, "user-window")
        try positive(Int64(maxUsersPerTask), "max-users-per-task")
        try positive(userTTL, "user-ttl")
        try positive(Int64(maxItems), "max-items")
        try positive(Int64(maxCategoriesPerUser), "max-categories-per-user")
        try positive(interestHalfLife, "interest-half-life")
        try positive(Int64(shufflePartitions), "partitions")
        try positive(itemWindow, "item-window")
        try positive(Int64(maxItemsPerTask), "max-items-per-partition")
        try positive(itemTTL, "item-ttl")
        if tableUpdateInterval < 0 { throw SettingsError("table-update-interval cannot be negative") }
        if maxOutOfOrderness < 0 { throw SettingsError("max-out-of-orderness cannot be negative") }
        if recommendationInterval < 0 { throw SettingsError("recommendation-interval cannot be negative") }
    }
}

public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
