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
    /// Items per recommendation list.
    public var topN = 10
    /// Past interactions kept per user (ring buffer): the CF seeds and what the seen filter filters. 200 (not 50):
    /// a MovieLens user rates 106 movies on average, and what falls out of the history is listed again, never a hit.
    public var historySize = 200
    /// Tumbling event-time window of the user features.
    public var userWindow: Int64 = 5 * 60_000
    /// How far behind the newest event time an event may arrive and still count in its window.
    public var maxOutOfOrderness: Int64 = 5_000
    /// Users kept per task (input partition); the least recently active is evicted beyond it.
    public var maxUsersPerTask = 100_000
    /// A user with no event for this long (event time) is dropped.
    /// 30 days, not 1: users who come back after a day (a third of MovieLens's) lost their history; the LRU bound
    /// (`maxUsersPerTask`) bounds memory either way.
    public var userTTL: Int64 = 30 * 24 * 3_600_000
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
    /// Whether tasks rank and send lists (feeds, cart, topics, creators, similar) and the training examples and
    /// co-occurrence pairs they need; off for a feature backfill (`replay --features-only`): windows only.
    public var emitsLists = true
    /// Weights of the behaviours in popularity and interest.
    public var behaviorWeights = BehaviorWeights()
    /// An input record with more bytes of key, value and headers goes to the dead-letter topic undecoded.
    public var maxRecordBytes = 65_536
    /// An event time more than this ahead of its record's Kafka timestamp goes to the dead-letter topic: one event
    /// from a wrong clock would otherwise move the watermark and make every later event of its partition late.
    public var maxFutureSkew: Int64 = 3_600_000

    // Item-to-item CF.
    /// How many of the user's most recent distinct items each event is paired with.
    public var coOccurrenceItems = 20
    /// Only items acted on this long (event time) before an event pair with it.
    public var coOccurrenceWindow: Int64 = 30 * 60_000
    /// Half-life of co-occurrence counts and of the popularity that normalises them.
    /// 30 days: with 6 hours a pair fell below `minCoWeight` within a day, so neighbours reflected only the last
    /// day's few co-actions (a year: the neighbours of a seven-month log's end lag its taste; worse on MovieLens).
    public var coOccurrenceHalfLife: Int64 = 30 * 24 * 3_600_000
    /// Partners remembered per item (the weakest gives way). 200, of which `neighbourCount` are published: with 50
    /// kept and all 50 published, item-CF scored 0.1715 on MovieLens' tuning half, with 50 of 200 0.1827 (a full
    /// list lets every new partner evict the weakest, so 50 kept are not the 50 strongest).
    public var maxCoItemsPerItem = 200
    /// Neighbours (and complements) published per item: the partners with the most co-occurrence. A feed proposes
    /// `neighboursPerSeed` of each seed's and scores its candidates over all of them.
    public var neighbourCount = 50
    /// A decayed pair weight below this is forgotten.
    public var minCoWeight = 0.05
    /// Neighbour similarities are shrunk by co/(co + this), co the decayed, behaviour-weighted pair count: without
    /// it, one co-occurrence with a rare item out-ranks steady partners, and more partners made CF worse.
    public var coOccurrenceShrinkage = 10.0
    /// Minimum event time between two computations of an item's neighbours and complements (rows in between carry
    /// the last ones).
    public var neighbourRefreshInterval: Int64 = 10_000
    /// Minimum event time between two `similar` lists of one item (its neighbours' membership changed).
    public var similarListInterval: Int64 = 60_000

    // Ranking.
    /// The hand-written blend of candidate scores, used when no learned model version is active (and as the learned
    /// ranker's prior).
    public var blend = BlendWeights()
    /// CF candidates: the user's recent distinct items whose neighbours are proposed, and how many neighbours of each
    /// (at most `neighbourCount`); a feed ranks up to their product of CF candidates.
    public var cfSeeds = 20
    public var neighboursPerSeed = 20
    /// CF candidates: the n-th most recent seed counts cfSeedDecay^n (recency by position, free of time scales).
    public var cfSeedDecay = 0.8
    /// CF candidates: a seed's neighbour cosines are multiplied by pop(seed)^exponent; 0.5 scores a candidate c by
    /// co(seed, c)/sqrt(pop(c)), the seed's own popularity cancelled (0: the plain cosine).
    public var cfSeedPopularityExponent = 0.5
    /// Diversity: at most this many items of one category in a list.
    public var maxPerCategory = 5
    /// Never recommend what the user bought (among their last `historySize` interactions and open cart).
    public var filterPurchased = true
    /// Never recommend what the user interacted with recently (their history).
    public var filterSeen = true
    /// Items remembered in a user's open cart.
    public var cartSize = 20
    /// Per task: each user's latest lists (served, and labelled by the user's next actions for training).
    public var userCache = CacheBounds(maxEntries: 10_000, expireAfterWrite: 600_000)

    // Online learning.
    /// A list's items are labelled by the user's actions within this long after it.
    public var trainingHorizon: Int64 = 10 * 60_000
    /// Unclicked items of a list sent as negative examples (drawn evenly from the list, stable by user and time).
    public var negativesPerList = 3
    /// Share of lists without any hit still sent as (negative) examples.
    public var missedListSampleRate = 0.05
    /// The trainer's model and publishing policy.
    public var trainer = TrainerSettings()

    public init() {}

    /// The changelog partition of the task that reads `partition` of `topic` (see `OutputTopics.changelog`).
    public func changelogPartition(ofTaskReading topic: String, partition: Int32) -> Int32 {
        switch topic {
        case topics.itemShuffle: shufflePartitions + partition
        case topics.training: 2 * shufflePartitions
        default: partition
        }
    }

    /// Partitions of the changelog topic.
    public var changelogPartitions: Int32 { 2 * shufflePartitions + 1 }

    /// The input partition (of `inputTopic`, or of the item shuffle) whose task writes `changelogPartition`.
    public func taskPartition(ofChangelogPartition changelogPartition: Int32, inputTopic: String) -> TopicPartition {
        if changelogPartition < shufflePartitions {
            return TopicPartition(topic: inputTopic, partition: changelogPartition)
        }
        if changelogPartition < 2 * shufflePartitions {
            return TopicPartition(topic: topics.itemShuffle, partition: changelogPartition - shufflePartitions)
        }
        return TopicPartition(topic: topics.training, partition: 0)
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
        try positive(Int64(maxRecordBytes), "max-record-bytes")
        if maxFutureSkew < 0 { throw SettingsError("max-future-skew cannot be negative") }
        if tableUpdateInterval < 0 { throw SettingsError("table-update-interval cannot be negative") }
        if maxOutOfOrderness < 0 { throw SettingsError("max-out-of-orderness cannot be negative") }
        if recommendationInterval < 0 { throw SettingsError("recommendation-interval cannot be negative") }
        if coOccurrenceItems < 0 { throw SettingsError("co-occurrence-items cannot be negative") }
        try positive(coOccurrenceWindow, "co-occurrence-window")
        try positive(coOccurrenceHalfLife, "co-occurrence-half-life")
        try positive(Int64(maxCoItemsPerItem), "max-co-items")
        if !(coOccurrenceShrinkage >= 0) { throw SettingsError("co-occurrence-shrinkage cannot be negative") }
        try positive(Int64(neighbourCount), "neighbours")
        if neighbourRefreshInterval < 0 { throw SettingsError("neighbour-refresh-interval cannot be negative") }
        if similarListInterval < 0 { throw SettingsError("similar-list-interval cannot be negative") }
        try positive(Int64(cfSeeds), "cf-seeds")
        try positive(Int64(neighboursPerSeed), "cf-neighbours-per-seed")
        if !(cfSeedDecay > 0 && cfSeedDecay <= 1) { throw SettingsError("cf-seed-decay must be in (0, 1]") }
        if !(0...1).contains(cfSeedPopularityExponent) {
            throw SettingsError("cf-seed-popularity-exponent must be in 0...1")
        }
        try positive(Int64(maxPerCategory), "max-per-category")
        try positive(Int64(cartSize), "cart-size")
        try positive(trainingHorizon, "training-horizon")
        if trainingHorizon > userCache.expireAfterWrite {
            throw SettingsError(
                "training-horizon must not exceed the user cache's expire-after-write (lists are kept there)")
        }
        if !(0...1).contains(missedListSampleRate) { throw SettingsError("missed-list-sample-rate must be in 0...1") }
        do { try userCache.validate("user-cache") } catch { throw SettingsError(error.description) }
        try trainer.validate()
    }
}

public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
