import StreamEngine

/// The rankers' view of the item table: each item's latest row, each category's current top items and the current
/// trending items kept ready for ranking. Scores only grow, so a bounded top list per category stays exact: an item
/// outside it enters once its score passes the list's weakest. Trends go up and down; their lists are re-sorted on
/// every row and read only for the last closed windows (`trendMaxAge`).
public struct ItemPopularity: Sendable {
    public typealias Stats = ItemTableRow

    public struct Ranked: Sendable, Equatable {
        public let itemId: String
        public var score: Double
        /// `itemId`'s hash, computed once (as `RelatedItem.hash`), for the candidate pool.
        package let hash: Int
        /// A trending entry's window: the end of the window its trend was measured in, as the item's row had it when
        /// the entry was offered. Every row of the item offers it again, so it is always the row's current one, and
        /// `trending` reads it here instead of looking the row up per entry (a String-keyed lookup and a cache miss
        /// into the 50 000-row table, four lists per feed).
        package let trendWindowEnd: Int64

        init(itemId: String, score: Double, trendWindowEnd: Int64 = .min) {
            (self.itemId, self.score, hash) = (itemId, score, itemId.hashValue)
            self.trendWindowEnd = trendWindowEnd
        }
    }

    public let topPerCategory: Int
    /// How old (event time, from the newest window end seen) a trend may be and still count as trending.
    public let trendMaxAge: Int64
    // Bound: KeyedStateStore caps the item count (least recently active evicted).
    private var items: KeyedStateStore<String, Stats>
    // Bound: one list of at most `topPerCategory` per category of a stored item.
    private var topByCategory: [String: [Ranked]] = [:]
    // Bound: `topPerCategory` entries.
    private var topOverall: [Ranked] = []
    // Bounds: as the popularity charts.
    private var trendingByCategory: [String: [Ranked]] = [:]
    private var trendingOverall: [Ranked] = []
    private var newestTrendWindowEnd: Int64 = .min
    /// Whether any row ever gave an item a creator. Creators come only from a catalog, and without one a window
    /// close need not look up the creator of every item in the user's history (a table lookup each).
    public private(set) var knowsCreators = false
    // Bound: one entry per stored item (added and removed with `items`).
    private var attributeIndex = ItemAttributeIndex()

    /// Whether the popularity and trending charts are kept. Off where nothing ranks (a features-only replay): the
    /// rows still give every item its category, and keeping four sorted charts per row was a twentieth of that
    /// replay's CPU.
    public let keepsCharts: Bool

    public init(maxItems: Int, topPerCategory: Int = 50, trendMaxAge: Int64 = 20 * 60_000, keepsCharts: Bool = true) {
        items = KeyedStateStore(bounds: .init(maxKeys: maxItems))
        self.topPerCategory = topPerCategory
        self.trendMaxAge = trendMaxAge
        self.keepsCharts = keepsCharts
    }

    public var itemCount: Int { items.count }
    public var evictions: Int { items.evictedForCapacity }

    /// The item's latest row, if the table holds it.
    public func stats(of itemId: String) -> Stats? { items.peek(itemId) }

    /// `body` on the item's latest row in place (nothing copied but what it returns); nil if the table lacks it.
    public func peekStats<R>(of itemId: String, _ body: (borrowing Stats) -> R) -> R? { items.peek(itemId, body) }

    /// The category an item was last seen with.
    public func category(of itemId: String) -> String? { items.peek(itemId) { $0.categoryId } ?? nil }

    /// Parts of an item's row, read in place (ranking reads these per candidate; `stats` copies the whole row).
    public func neighbours(of itemId: String) -> [RelatedItem] { items.peek(itemId) { $0.neighbours } ?? [] }
    public func complements(of itemId: String) -> [RelatedItem] { items.peek(itemId) { $0.complements } ?? [] }
    public func attributes(of itemId: String) -> (categoryId: String?, creatorId: String?) {
        items.peek(itemId) { ($0.categoryId, $0.creatorId) } ?? (nil, nil)
    }
    /// The same, found by `itemId`'s hash as the table computed it (`RelatedItem.hash`) in a compact index: per
    /// shortlisted candidate of every feed.
    package func attributes(of itemId: String, hash: Int) -> (
        categoryId: String?, creatorId: String?, featureHashes: ItemFeatureHashes?
    ) {
        attributeIndex.attributes(of: itemId, hash: hash).map { ($0.categoryId, $0.creatorId, $0.featureHashes) }
            ?? (nil, nil, nil)
    }
    /// Every candidate's attributes, as `attributes(of:hash:)` gives them: per shortlist of every feed.
    package func fillAttributes(of candidates: inout [Candidate]) { attributeIndex.fillAttributes(of: &candidates) }
    /// The item's recent popularity decayed to `time` (as the item task's cosine needs it), read in place; nil for
    /// an item the table does not hold or a catalog-only row (no events yet). Per partner of every neighbour refresh.
    public func recentPopularity(of itemId: String, at time: Int64, halfLife: Int64) -> Double? {
        items.peek(itemId) {
            Self.decayedPopularity(score: $0.score, recent: $0.recentScore, $0.updatedAt, time, halfLife)
        }
            ?? nil
    }

    /// The same, found by `itemId`'s hash (`RelatedItem.hash`) in the attribute index where the table keeps one
    /// (it ranks): up to a hundred per neighbour refresh, each a String hash and a probe of the 50 000-row store
    /// through the store's dictionary, was half of a refresh.
    package func recentPopularity(of itemId: String, hash: Int, at time: Int64, halfLife: Int64) -> Double? {
        guard keepsCharts else { return recentPopularity(of: itemId, at: time, halfLife: halfLife) }
        guard let entry = attributeIndex.popularity(of: itemId, hash: hash) else { return nil }
        return Self.decayedPopularity(score: entry.score, recent: entry.recentScore, entry.updatedAt, time, halfLife)
    }

    private static func decayedPopularity(
        score: Double, recent: Double, _ updatedAt: Int64, _ time: Int64, _ halfLife: Int64
    ) -> Double? {
        guard score > 0 else { return nil }
        return recent / CoOccurrenceCounts.scale(from: updatedAt, to: time, halfLife: halfLife)
    }

    /// Takes an item's latest row from the item table (or the catalog: a row without events).
    public mutating func apply(_ row: ItemTableRow) {
        var trendedBefore = false
        let (stats, evicted) = items.update(
            row.itemId, at: row.updatedAt,
            default: { Stats(itemId: row.itemId, categoryId: nil, score: 0, updatedAt: .min) }
        ) { stats in
            trendedBefore = stats.trendWindowEnd != .min
            if let category = row.categoryId { stats.categoryId = category }
            if let creator = row.creatorId {
                stats.creatorId = creator
                knowsCreators = true
            }
            // A catalog row carries attributes only; an item task's row carries the item's whole dynamic state.
            if row.score > 0, row.updatedAt >= stats.updatedAt {
                let (category, creator) = (stats.categoryId, stats.creatorId)
                stats = row
                stats.categoryId = category
                stats.creatorId = creator
            }
            stats.score = max(stats.score, row.score)
            // Only what the charts need: returning the whole row copied it (two neighbour arrays retained and
            // released) for every row an in-process replay applies.
            return Charted(
                score: stats.score, categoryId: stats.categoryId, creatorId: stats.creatorId, trend: stats.trend,
                trendWindowEnd: stats.trendWindowEnd, recentScore: stats.recentScore, updatedAt: stats.updatedAt)
        }
        if let evicted {
            forget(evicted.key, category: evicted.value.categoryId)
            attributeIndex.remove(evicted.key, hash: evicted.key.hashValue)
        }
        // Where nothing ranks, nothing reads the attributes by hash either.
        if keepsCharts {
            attributeIndex.set(
                ItemAttributeIndex.Entry(
                    itemId: row.itemId, hash: row.itemId.hashValue, categoryId: stats.categoryId,
                    creatorId: stats.creatorId, score: stats.score, recentScore: stats.recentScore,
                    updatedAt: stats.updatedAt))
        }
        // A catalog row (no events yet) gives the item its attributes but no place in the charts.
        guard keepsCharts, stats.score > 0 else { return }
        let entry = Ranked(itemId: row.itemId, score: stats.score)
        if let category = stats.categoryId {
            Self.offer(entry, to: &topByCategory[category, default: []], limit: topPerCategory)
        }
        Self.offer(entry, to: &topOverall, limit: topPerCategory)
        if stats.trendWindowEnd == .min, trendedBefore {
            // The item task forgot the item and started it again: its old trend must not stand in the lists.
            if let category = stats.categoryId { trendingByCategory[category]?.removeAll { $0.itemId == row.itemId } }
            trendingOverall.removeAll { $0.itemId == row.itemId }
        }
        if stats.trendWindowEnd != .min {
            newestTrendWindowEnd = max(newestTrendWindowEnd, stats.trendWindowEnd)
            let trending = Ranked(itemId: row.itemId, score: stats.trend, trendWindowEnd: stats.trendWindowEnd)
            if let category = stats.categoryId {
                Self.offer(trending, to: &trendingByCategory[category, default: []], limit: topPerCategory)
            }
            Self.offer(trending, to: &trendingOverall, limit: topPerCategory)
        }
    }

    /// The parts of a row the charts and the attribute index are kept by.
    private struct Charted {
        var score: Double
        var categoryId: String?
        var creatorId: String?
        var trend: Double
        var trendWindowEnd: Int64
        var recentScore: Double
        var updatedAt: Int64
    }

    public func top(inCategory category: String) -> [Ranked] { topByCategory[category] ?? [] }
    public var top: [Ranked] { topOverall }

    /// Items whose last closed window grew the most over the one before, fastest first; only growth counts, and only
    /// recent windows.
    public func trending(inCategory category: String? = nil, limit: Int = .max) -> [Ranked] {
        var current: [Ranked] = []
        forEachTrending(inCategory: category, limit: limit) { current.append($0) }
        return current
    }

    /// `body` on each entry `trending(inCategory:limit:)` returns, in its order, without making the array: a feed
    /// reads four of these lists, and their arrays were one allocation in twenty of a replay.
    public func forEachTrending(inCategory category: String? = nil, limit: Int = .max, _ body: (Ranked) -> Void) {
        let list = category.map { trendingByCategory[$0] ?? [] } ?? trendingOverall
        var count = 0
        for entry in list where count < limit && entry.score > 0 {
            if entry.trendWindowEnd >= newestTrendWindowEnd - trendMaxAge {
                count += 1
                body(entry)
            }
        }
    }

    private mutating func forget(_ itemId: String, category: String?) {
        if let category {
            topByCategory[category]?.removeAll { $0.itemId == itemId }
            trendingByCategory[category]?.removeAll { $0.itemId == itemId }
        }
        topOverall.removeAll { $0.itemId == itemId }
        trendingOverall.removeAll { $0.itemId == itemId }
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
