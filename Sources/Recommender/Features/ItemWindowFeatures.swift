/// An item's popularity in one event-time window — the `item-features` record.
public struct ItemWindowFeatures: Sendable, Equatable {
    public var itemId: String
    public var categoryId: String?
    public var windowStart: Int64
    public var windowEnd: Int64
    /// Events per behaviour, indexed like `Behavior.allCases`.
    public var counts: [Int]
    /// Behaviour-weighted event count.
    public var score: Double
    /// Distinct users, saturating at `ItemWindowAggregator.maxUsersPerWindow`.
    public var uniqueUsers: Int
    /// Relative change of the score against the item's previous window: (score - previous) / max(previous, 1).
    public var trend: Double

    public func encodeJSON() -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("itemId", itemId)
        if let categoryId { json.field("categoryId", categoryId) }
        json.field("windowStart", windowStart)
        json.field("windowEnd", windowEnd)
        json.field("score", score)
        json.behaviorCounts(counts)
        json.field("uniqueUsers", uniqueUsers)
        json.field("trend", trend)
        json.endObject()
        return json.bytes
    }
}

/// The per-item window aggregate, Flink-`AggregateFunction` style.
public enum ItemWindowAggregator {
    /// Users remembered per item window, so a viral item cannot grow one window without limit.
    public static let maxUsersPerWindow = 10_000

    public struct Accumulator: Sendable {
        package var counts = [Int](repeating: 0, count: Behavior.allCases.count)
        package var score = 0.0
        /// Inline for one user: most item windows of the long tail see one event.
        package var users = SmallSet<String>()

        package init() {}
    }

    public static func add(_ event: BehaviorEvent, weights: BehaviorWeights, to accumulator: inout Accumulator) {
        accumulator.counts[event.behavior.index] += 1
        accumulator.score += weights[event.behavior]
        if accumulator.users.count < maxUsersPerWindow { accumulator.users.insert(event.userId) }
    }

    public static func result(
        _ accumulator: Accumulator, itemId: String, category: String?, window: Range<Int64>, previousScore: Double
    ) -> ItemWindowFeatures {
        ItemWindowFeatures(
            itemId: itemId, categoryId: category, windowStart: window.lowerBound, windowEnd: window.upperBound,
            counts: accumulator.counts, score: accumulator.score, uniqueUsers: accumulator.users.count,
            trend: (accumulator.score - previousScore) / max(previousScore, 1))
    }
}

extension JSONWriter {
    /// A window's `"counts"` field: events per behaviour, `counts` indexed like `Behavior.allCases`.
    mutating func behaviorCounts(_ counts: [Int]) {
        key("counts")
        beginObject()
        for behavior in Behavior.allCases {
            dynamicKey(behavior.rawValue)
            value(counts[behavior.index])
        }
        endObject()
    }
}
