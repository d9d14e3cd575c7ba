import Recommender
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
    /// partition `shufflePartitions + p`, the trainer partition `2 × shufflePartitions`: the topic has twice the
    /// input's partitions plus one.
    public var changelog = "streamrec-changelog"
    /// Internal, one partition: training examples (recommended items labelled by the user's next actions); the
    /// group member that owns the partition trains the ranker.
    public var training = "streamrec-training"
    /// Compacted, key = model version: the versions of the learned ranker and the registry's control record.
    public var models = "recsys-models"
    /// Internal, compacted, one partition: which instance serves which input partition over HTTP (`--http-advertise`).
    public var instances = "streamrec-instances"

    public init() {}

    /// Internal topics are named after the application id, as Kafka Streams does: `<app>-item-shuffle`.
    public init(applicationID: String) {
        itemShuffle = "\(applicationID)-item-shuffle"
        itemTable = "\(applicationID)-item-table"
        changelog = "\(applicationID)-changelog"
        training = "\(applicationID)-training"
        instances = "\(applicationID)-instances"
    }
}

/// Everything the pipeline's behaviour depends on; each bound here is a memory bound of the worker.
public struct PipelineSettings: Sendable, Equatable {
    public var topics = OutputTopics()
    /// Tumbling event-time window of the user features.
    public var userWindow: Int64 = 5 * 60_000
    /// How far behind the newest event time an event may arrive and still count in its window.
    public var maxOutOfOrderness: Int64 = 5_000
    /// Users kept per task (input partition); the least recently active is evicted beyond it.
    public var maxUsersPerPartition = 100_000
    /// A user with no event for this long (event time) is dropped.
    /// 30 days, not 1: users who come back after a day (a third of MovieLens's) lost their history; the LRU bound
    /// (`maxUsersPerPartition`) bounds memory either way.
    public var userTTL: Int64 = 30 * 24 * 3_600_000
    /// Items in the local copy of the global item table (ranking); the least recently updated is evicted beyond it.
    public var maxItems = 200_000
    /// Minimum event time between two recommendation lists for one user; 0 emits one per event.
    public var recommendationInterval: Int64 = 0
    /// Partitions of the item shuffle topic (the same count as the input topic).
    public var shufflePartitions: Int32 = 4
    /// Tumbling event-time window of the item features.
    public var itemWindow: Int64 = 10 * 60_000
    /// Items kept per item task (shuffle partition); the least recently active is evicted beyond it.
    public var maxItemsPerPartition = 200_000
    /// An item with no event (and no co-occurrence pair) for this long (event time) is dropped from its item task,
    /// and with it its CF counts. 30 days, the counts' half-life: with 7 days an item idle for a week came back with
    /// none of the pairs that still held 85 % of their weight (MovieLens' tuning half, item-cf 0.1827 → 0.1876).
    public var itemTTL: Int64 = 30 * 24 * 3_600_000
    /// Minimum event time between two item-table rows for one item (window closes always publish).
    public var tableUpdateInterval: Int64 = 1_000
    /// An upstream partition silent this long (processing time) stops holding back the item tasks' event time.
    public var idleTimeout: Duration? = .seconds(30)
    /// Whether tasks record their state changes for checkpoints (the Kafka worker writes them to the changelog).
    public var checkpointing = false
    /// Whether tasks rank and send lists (feeds, cart, topics, creators, similar) and the training examples and
    /// co-occurrence pairs they need; off for a feature backfill (`replay --features-only`): windows only.
    public var emitsLists = true
    /// Whether a closing user window ranks the feed again even when the user's last feed is current (ranked at or
    /// after their newest event). Off by default: that feed was ranked from the same state, and ranking it again per
    /// closed window was a third of a replay's CPU at the 50 000-item workload. On, every window close also refreshes
    /// the feed with the newest table and model (and its next-session labels train the ranker).
    public var refreshesCurrentFeedsAtWindowClose = false
    /// An input record with more bytes of key, value and headers goes to the dead-letter topic undecoded.
    public var maxRecordBytes = 65_536
    /// An event time more than this ahead of its record's Kafka timestamp goes to the dead-letter topic: one event
    /// from a wrong clock would otherwise move the watermark and make every later event of its partition late.
    public var maxFutureSkew: Int64 = 3_600_000

    /// Per task: each user's latest lists (served, and labelled by the user's next actions for training).
    public var userCache = CacheBounds(maxEntries: 10_000, expireAfterWrite: 600_000)

    /// What is kept per user for ranking.
    public var user = UserFeatureSettings()
    /// Weights of the behaviours in popularity and interest.
    public var behaviorWeights = BehaviorWeights()
    /// Item-to-item CF.
    public var cf = CFSettings()
    /// How lists are drawn and ordered.
    public var ranking = RankingSettings()
    /// How served feeds become training examples.
    public var labels = LabelSettings()
    /// The trainer's model and publishing policy.
    public var trainer = TrainerSettings()

    public init() {}

    /// Checks the values a user can set; the message names the setting and what to do.
    public func validate() throws(SettingsError) {
        try SettingsError.requirePositive(userWindow, "user-window")
        try SettingsError.requirePositive(maxUsersPerPartition, "max-users-per-partition")
        try SettingsError.requirePositive(userTTL, "user-ttl")
        try SettingsError.requirePositive(maxItems, "max-items")
        try SettingsError.requirePositive(Int64(shufflePartitions), "partitions")
        try SettingsError.requirePositive(itemWindow, "item-window")
        try SettingsError.requirePositive(maxItemsPerPartition, "max-items-per-partition")
        try SettingsError.requirePositive(itemTTL, "item-ttl")
        try SettingsError.requirePositive(maxRecordBytes, "max-record-bytes")
        try SettingsError.requireNonNegative(maxFutureSkew, "max-future-skew")
        try SettingsError.requireNonNegative(tableUpdateInterval, "table-update-interval")
        try SettingsError.requireNonNegative(maxOutOfOrderness, "max-out-of-orderness")
        try SettingsError.requireNonNegative(recommendationInterval, "recommendation-interval")
        try user.validate()
        try cf.validate()
        try ranking.validate()
        try labels.validate()
        if labels.trainingHorizon > userCache.expireAfterWrite {
            throw SettingsError(
                "training-horizon must not exceed the user cache's expire-after-write (lists are kept there)")
        }
        do { try userCache.validate("user-cache") } catch { throw SettingsError(error.description) }
        try trainer.validate()
    }
}
