/// What the pipeline did, for the summary line, metrics and tests.
public struct PipelineCounters: Sendable, Equatable {
    public var eventsProcessed = 0
    public var deadLettered = 0
    public var late = 0
    public var featuresEmitted = 0
    public var recommendationsEmitted = 0
    /// Users dropped to stay within `maxUsersPerTask`, and by `userTTL`.
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

    public init() {}

    public static func += (lhs: inout PipelineCounters, rhs: PipelineCounters) {
        lhs.eventsProcessed += rhs.eventsProcessed
        lhs.deadLettered += rhs.deadLettered
        lhs.late += rhs.late
        lhs.featuresEmitted += rhs.featuresEmitted
        lhs.recommendationsEmitted += rhs.recommendationsEmitted
        lhs.usersEvicted += rhs.usersEvicted
        lhs.usersExpired += rhs.usersExpired
        lhs.windowsDroppedByEviction += rhs.windowsDroppedByEviction
        lhs.itemEventsProcessed += rhs.itemEventsProcessed
        lhs.itemFeaturesEmitted += rhs.itemFeaturesEmitted
        lhs.tableRowsPublished += rhs.tableRowsPublished
        lhs.itemsEvicted += rhs.itemsEvicted
        lhs.itemsExpired += rhs.itemsExpired
        lhs.repeatsDropped += rhs.repeatsDropped
    }
}
