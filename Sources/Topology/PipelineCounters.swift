import Recommender
import StreamEngine

/// What the pipeline did, for the summary line, metrics and tests.
public struct PipelineCounters: Sendable, Equatable {
    public var eventsProcessed = 0
    public var deadLettered = 0
    /// `deadLettered` by class. Bound: one entry per `EventDecodingError.Reason`.
    public var deadLettersByReason: [EventDecodingError.Reason: Int] = [:]
    public var late = 0
    public var featuresEmitted = 0
    public var recommendationsEmitted = 0
    /// Closed user windows whose feed was not ranked again: the user's last feed was ranked from the same state.
    public var windowFeedsKept = 0
    /// Users dropped to stay within `maxUsersPerPartition`, and by `userTTL`.
    public var usersEvicted = 0
    public var usersExpired = 0
    /// Open windows lost because their user or item was evicted before the window closed.
    public var windowsDroppedByEviction = 0
    /// Item side: shuffled events processed, item windows emitted, item-table rows published, items dropped.
    public var itemEventsProcessed = 0
    public var itemFeaturesEmitted = 0
    public var tableRowsPublished = 0
    public var itemsEvicted = 0
    public var itemsExpired = 0
    /// Item-shuffle records dropped because their id showed them to be a re-sent copy.
    public var repeatsDropped = 0
    /// `similar` lists emitted by item tasks (a neighbour list changed).
    public var similarListsEmitted = 0
    /// Training examples sent to the trainer.
    public var trainingExamples = 0
    /// Examples the trainer learned from, and model versions it published.
    public var examplesTrained = 0
    public var modelsPublished = 0
    /// Per model version: lists it ranked and next-action hits on them.
    // Bound: one entry per model version seen by this task (the registry keeps a bounded number).
    public var byModel: [String: ModelCounters] = [:]
    /// The tasks' user caches (`PipelineSettings.userCache`).
    public var userCache = CacheCounters()

    public init() {}

    mutating func countDeadLetter(_ reason: EventDecodingError.Reason) {
        deadLettered += 1
        deadLettersByReason[reason, default: 0] += 1
    }

    public static func += (lhs: inout PipelineCounters, rhs: PipelineCounters) {
        lhs.eventsProcessed += rhs.eventsProcessed
        lhs.deadLettered += rhs.deadLettered
        lhs.deadLettersByReason.merge(rhs.deadLettersByReason, uniquingKeysWith: +)
        lhs.late += rhs.late
        lhs.featuresEmitted += rhs.featuresEmitted
        lhs.recommendationsEmitted += rhs.recommendationsEmitted
        lhs.windowFeedsKept += rhs.windowFeedsKept
        lhs.usersEvicted += rhs.usersEvicted
        lhs.usersExpired += rhs.usersExpired
        lhs.windowsDroppedByEviction += rhs.windowsDroppedByEviction
        lhs.itemEventsProcessed += rhs.itemEventsProcessed
        lhs.itemFeaturesEmitted += rhs.itemFeaturesEmitted
        lhs.tableRowsPublished += rhs.tableRowsPublished
        lhs.itemsEvicted += rhs.itemsEvicted
        lhs.itemsExpired += rhs.itemsExpired
        lhs.repeatsDropped += rhs.repeatsDropped
        lhs.similarListsEmitted += rhs.similarListsEmitted
        lhs.trainingExamples += rhs.trainingExamples
        lhs.examplesTrained += rhs.examplesTrained
        lhs.modelsPublished += rhs.modelsPublished
        lhs.byModel.merge(rhs.byModel) { $0 + $1 }
        lhs.userCache += rhs.userCache
    }
}

/// What one model version did: lists ranked with it, and how many of those a user acted on next (an item of the
/// list within the training horizon).
public struct ModelCounters: Sendable, Equatable {
    public var lists = 0
    public var hits = 0

    public init(lists: Int = 0, hits: Int = 0) {
        self.lists = lists
        self.hits = hits
    }

    public static func + (lhs: ModelCounters, rhs: ModelCounters) -> ModelCounters {
        ModelCounters(lists: lhs.lists + rhs.lists, hits: lhs.hits + rhs.hits)
    }
}
