/// The first ranker: popular items of the categories the user is into right now, weighted by how much of the user's
/// recent interest each category holds, skipping items the user already interacted with; topped up with the most
/// popular items overall when the user's categories run dry (a new user gets the global chart).
public struct PopularityRanker: Sendable {
    public static let modelName = "popularity-v1"
    public var topN: Int
    /// How many of the user's strongest categories feed candidates.
    public var categoriesConsidered: Int

    public init(topN: Int, categoriesConsidered: Int = 3) {
        self.topN = topN
        self.categoriesConsidered = categoriesConsidered
    }

    /// A candidate before it is explained: reasons are written only for the items that make the list.
    private struct Candidate {
        var itemId: String
        var category: String?
        var score: Double
        var share: Double?  // the category's share of interest; nil for a global-chart pick
    }

    public func rank(interest: CategoryInterest, history: RecentHistory, items: ItemPopularity) -> [ScoredItem] {
        var chosen: [Candidate] = []
        // A few dozen candidates at most: a linear scan of short ids beats hashing them.
        func isNew(_ itemId: String) -> Bool {
            !history.contains(itemId: itemId) && !chosen.contains { $0.itemId == itemId }
        }
        for (category, share) in interest.top(categoriesConsidered) {
            let chart = items.top(inCategory: category)
            guard let best = chart.first?.score, best > 0 else { continue }
            // A chart is sorted, so once topN new items are taken from it the rest cannot beat them.
            var takenHere = 0
            for entry in chart where takenHere < topN && isNew(entry.itemId) {
                chosen.append(
                    Candidate(itemId: entry.itemId, category: category, score: share * entry.score / best, share: share)
                )
                takenHere += 1
            }
        }
        chosen.sort { ($0.score, $1.itemId) > ($1.score, $0.itemId) }
        chosen.removeSubrange(min(topN, chosen.count)...)
        if chosen.count < topN, let best = items.top.first?.score, best > 0 {
            // Below every category pick: a fallback must never outrank what the user showed interest in.
            let floor = chosen.last?.score ?? 1
            for entry in items.top where chosen.count < topN && isNew(entry.itemId) {
                chosen.append(
                    Candidate(
                        itemId: entry.itemId, category: items.category(of: entry.itemId),
                        score: floor * 0.5 * entry.score / best, share: nil))
            }
        }
        // Items of one category share their reason: write it once.
        var reasons: [String: String] = [:]
        return chosen.map { candidate in
            guard let share = candidate.share, let category = candidate.category else {
                return ScoredItem(
                    itemId: candidate.itemId, categoryId: candidate.category, score: candidate.score,
                    source: "global-popularity", reason: "popular across the catalogue right now")
            }
            let reason =
                reasons[category]
                ?? "popular in \(category), \(Int((share * 100).rounded()))% of your recent interest"
            reasons[category] = reason
            return ScoredItem(
                itemId: candidate.itemId, categoryId: category, score: candidate.score, source: "category-popularity",
                reason: reason)
        }
    }
}
