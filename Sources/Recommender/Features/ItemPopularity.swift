import StreamEngine

/// Popularity of items — the item table's behaviour-weighted scores — with each category's current top items kept
/// ready for ranking. Scores only grow, so a bounded top list per category stays exact: an item outside it enters
/// once its score passes the list's weakest.
public struct ItemPopularity: Sendable {
    public struct Stats: Sendable, Equatable {
        public var categoryId: String?
        public var score: Double = 0
    }

    public struct Ranked: Sendable, Equatable {
        public var itemId: String
        public var score: Double
    }

    public let topPerCategory: Int
    // Bound: KeyedStateStore caps the item count (least recently active evicted).
    private var items: KeyedStateStore<String, Stats>
    // Bound: one list of at most `topPerCategory` per category of a stored item.
    private var topByCategory: [String: [Ranked]] = [:]
    // Bound: `topPerCategory` entries.
    private var topOverall: [Ranked] = []

    public init(maxItems: Int, topPerCategory: Int = 50) {
        items = KeyedStateStore(bounds: .init(maxKeys: maxItems))
        self.topPerCategory = topPerCategory
    }

    public var itemCount: Int { items.count }
    public var evictions: Int { items.evictedForCapacity }

    /// The category an item was last seen with.
    public func category(of itemId: String) -> String? { items.peek(itemId)?.categoryId }

    /// Takes an item's latest row from the item table.
    public mutating func apply(_ row: ItemTableRow) {
        let (stats, evicted) = items.update(row.itemId, at: row.updatedAt, default: { Stats() }) { stats in
            if let category = row.categoryId { stats.categoryId = category }
            stats.score = max(stats.score, row.score)
            return stats
        }
        if let evicted { forget(evicted.key, category: evicted.value.categoryId) }
        // A catalog row (no events yet) gives the item its category but no place in the charts.
        guard stats.score > 0 else { return }
        let entry = Ranked(itemId: row.itemId, score: stats.score)
        if let category = stats.categoryId {
            Self.offer(entry, to: &topByCategory[category, default: []], limit: topPerCategory)
        }
        Self.offer(entry, to: &topOverall, limit: topPerCategory)
    }

    public func top(inCategory category: String) -> [Ranked] { topByCategory[category] ?? [] }
    public var top: [Ranked] { topOverall }

    private mutating func forget(_ itemId: String, category: String?) {
        if let category { topByCategory[category]?.removeAll { $0.itemId == itemId } }
        topOverall.removeAll { $0.itemId == itemId }
    }

    /// Keeps `list` sorted by score (ties by id, for determinism) and at most `limit` long.
    static func offer(_ entry: Ranked, to list: inout [Ranked], limit: Int) {
        if let existing = list.firstIndex(where: { $0.itemId == entry.itemId }) {
            list.remove(at: existing)
        } else if list.count >= limit, let weakest = list.last, !Self.ranksBefore(entry, weakest) {
            return
        }
        let position = list.firstIndex { Self.ranksBefore(entry, $0) } ?? list.endIndex
        list.insert(entry, at: position)
        if list.count > limit { list.removeLast() }
    }

    static func ranksBefore(_ lhs: Ranked, _ rhs: Ranked) -> Bool {
        (lhs.score, rhs.itemId) > (rhs.score, lhs.itemId)
    }
}
