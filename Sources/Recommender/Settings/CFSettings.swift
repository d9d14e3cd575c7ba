/// Item-to-item collaborative filtering: which events pair, how pair counts decay, and what each item publishes.
public struct CFSettings: Sendable, Equatable {
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

    public init() {}

    public func validate() throws(SettingsError) {
        try SettingsError.requireNonNegative(Int64(coOccurrenceItems), "co-occurrence-items")
        try SettingsError.requirePositive(coOccurrenceWindow, "co-occurrence-window")
        try SettingsError.requirePositive(coOccurrenceHalfLife, "co-occurrence-half-life")
        try SettingsError.requirePositive(maxCoItemsPerItem, "max-co-items")
        if !(coOccurrenceShrinkage >= 0) { throw SettingsError("co-occurrence-shrinkage cannot be negative") }
        try SettingsError.requirePositive(neighbourCount, "neighbours")
        try SettingsError.requireNonNegative(neighbourRefreshInterval, "neighbour-refresh-interval")
        try SettingsError.requireNonNegative(similarListInterval, "similar-list-interval")
    }
}
