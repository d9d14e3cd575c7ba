/// A category with a weight (summed behaviour weights, or a share of interest).
public struct WeightedCategory: Sendable, Equatable {
    public var category: String
    public var weight: Double

    public init(category: String, weight: Double) { (self.category, self.weight) = (category, weight) }
}

/// What a user did in one event-time window — the `user-features` record. Built by `UserWindowAggregator`.
public struct UserWindowFeatures: Sendable, Equatable {
    public var userId: String
    public var windowStart: Int64
    public var windowEnd: Int64
    /// Events per behaviour, indexed like `Behavior.allCases` (the accumulator's array, shared: a dictionary built
    /// per closed window was a twelfth of a features-only replay's allocations).
    public var counts: [Int]
    public var distinctItems: Int
    public var distinctCategories: Int
    /// Categories by summed behaviour weight in this window, strongest first (at most
    /// `UserWindowAggregator.topCategoryCount`).
    public var topCategories: [WeightedCategory]
    /// The user's interest across windows when this one closed: category shares of a profile whose weights halve
    /// every `interestHalfLife` of event time.
    public var interest: [WeightedCategory]
    /// Event time between the first and the last event in the window (session length within the window).
    public var activeMilliseconds: Int64

    public var eventCount: Int { counts.reduce(0, +) }

    public func encodeJSON() -> [UInt8] {
        // A window's line is ~320 bytes, up to ~570 with five top categories: the default 256 grew most of them.
        var json = JSONWriter(capacity: 192 + 96 * (topCategories.count + interest.count))
        json.beginObject()
        json.field("userId", userId)
        json.field("windowStart", windowStart)
        json.field("windowEnd", windowEnd)
        json.field("events", eventCount)
        json.behaviorCounts(counts)
        json.field("distinctItems", distinctItems)
        json.field("distinctCategories", distinctCategories)
        // Not a loop over an array literal of the two: an allocation per window.
        func categories(_ name: StaticString, _ list: [WeightedCategory]) {
            json.key(name)
            json.beginArray()
            for entry in list {
                json.beginObject()
                json.field("categoryId", entry.category)
                json.field("weight", entry.weight)
                json.endObject()
            }
            json.endArray()
        }
        categories("topCategories", topCategories)
        categories("interest", interest)
        json.field("activeMs", activeMilliseconds)
        json.endObject()
        return json.bytes
    }
}

/// The per-user window aggregate, in the shape of Flink's `AggregateFunction`: an accumulator, `add`, `result`.
public struct UserWindowAggregator: Sendable {
    public static let topCategoryCount = 5
    /// Bound on the items and categories remembered per window, so one hot user cannot grow a window without limit.
    /// Past it, `distinctItems` saturates at the bound.
    public static let maxDistinctPerWindow = 1_000

    public struct Accumulator: Sendable {
        package var counts = [Int](repeating: 0, count: Behavior.allCases.count)
        package var items = SmallSet<String>()
        package var categoryWeights = SmallMap<String, Double>()
        package var firstEvent: Int64 = .max
        package var lastEvent: Int64 = .min

        public init() {}
    }

    public static func add(
        _ event: BehaviorEvent, category: String?, weights: BehaviorWeights, to accumulator: inout Accumulator
    ) {
        accumulator.counts[event.behavior.index] += 1
        if accumulator.items.count < maxDistinctPerWindow { accumulator.items.insert(event.itemId) }
        if let category,
            accumulator.categoryWeights[category] != nil
                || accumulator.categoryWeights.count < maxDistinctPerWindow
        {
            accumulator.categoryWeights.update(category, initial: 0) { $0 += weights[event.behavior] }
        }
        accumulator.firstEvent = min(accumulator.firstEvent, event.timestamp)
        accumulator.lastEvent = max(accumulator.lastEvent, event.timestamp)
    }

    public static func result(
        _ accumulator: Accumulator, userId: String, window: Range<Int64>, interest: [WeightedCategory]
    ) -> UserWindowFeatures {
        // One array for the result: sorting the dictionary into an array and mapping its prefix were two arrays per
        // closed window (about one per event in a features-only replay).
        let top = accumulator.categoryWeights.withRankedEntries { ranked in
            ranked.prefix(topCategoryCount).map { WeightedCategory(category: $0.key, weight: $0.value) }
        }
        return UserWindowFeatures(
            userId: userId, windowStart: window.lowerBound, windowEnd: window.upperBound, counts: accumulator.counts,
            distinctItems: accumulator.items.count, distinctCategories: accumulator.categoryWeights.count,
            topCategories: top, interest: interest,
            activeMilliseconds: max(0, accumulator.lastEvent - accumulator.firstEvent))
    }
}
