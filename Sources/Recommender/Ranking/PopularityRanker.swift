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

    public func rank(interest: CategoryInterest, history: RecentHistory, items: ItemPopularity) -> [ScoredItem] {
        var chosen: [ScoredItem] = []
        var taken: Set<String> = []
        let seen = Set(history.interactions.map(\.itemId))
        for (category, share) in interest.top(categoriesConsidered) {
            let chart = items.top(inCategory: category)
            guard let best = chart.first?.score, best > 0 else { continue }
            for entry in chart where !seen.contains(entry.itemId) && !taken.contains(entry.itemId) {
                chosen.append(
                    ScoredItem(
                        itemId: entry.itemId, categoryId: category, score: share * entry.score / best,
                        source: "category-popularity",
                        reason: "popular in \(category), \(Int((share * 100).rounded()))% of your recent interest"))
                taken.insert(entry.itemId)
            }
        }
        chosen.sort { ($0.score, $1.itemId) > ($1.score, $0.itemId) }
        chosen = Array(chosen.prefix(topN))
        if chosen.count < topN, let best = items.top.first?.score, best > 0 {
            // Below every category pick: a fallback must never outrank what the user showed interest in.
            let floor = chosen.last?.score ?? 1
            for entry in items.top where chosen.count < topN && !seen.contains(entry.itemId) && !taken.contains(entry.itemId) {
                chosen.append(
                    ScoredItem(
                        itemId: entry.itemId, categoryId: items.category(of: entry.itemId),
                        score: floor * 0.5 * entry.score / best, source: "global-popularity",
                        reason: "popular across the catalogue right now"))
                taken.insert(entry.itemId)
            }
        }
        return chosen
    }
}
