import Foundation
import StreamEngine

/// Turns candidates into the lists of every user surface: orders them (the blend, or a learned model's score),
/// keeps categories diverse, and explains every entry.
package struct HybridRanker {
    let ranking: RankingSettings
    let behaviorWeights: BehaviorWeights

    package init(ranking: RankingSettings, behaviorWeights: BehaviorWeights) {
        (self.ranking, self.behaviorWeights) = (ranking, behaviorWeights)
    }
    /// The `model` of lists ranked by the hand-written blend (no learned version active).
    package static let blendModel = "blend"

    /// A feed ranked by the blend.
    package func feed(
        for userId: String, from candidates: [Candidate], at time: Int64, trigger: RecommendationTrigger
    ) -> Recommendation {
        let blend = ranking.blend
        return Recommendation(
            surface: .personalized, subject: userId, generatedAt: time, trigger: trigger, model: Self.blendModel,
            items: personalized(candidates) { $0.blendScore(blend) })
    }

    /// The personalized feed: candidates by `score`, at most `maxPerCategory` per category.
    package func personalized(_ candidates: [Candidate], score: (Candidate) -> Double) -> [ScoredItem] {
        ranked(candidates, scores: candidates.map(score)).map(\.item)
    }

    /// The personalized feed from each candidate's score (same positions), with each entry's candidate position.
    func ranked(_ candidates: [Candidate], scores: [Double]) -> [(position: Int, item: ScoredItem)] {
        diversified(candidates, scores: scores).map { position, score in
            let candidate = candidates[position]
            let source = candidate.strongestSource(ranking.blend)
            return (
                position,
                ScoredItem(
                    itemId: candidate.itemId, categoryId: candidate.categoryId, score: score, source: source,
                    because: candidate.reason(for: source))
            )
        }
    }

    /// Cart complements: only items that go with the cart, by how strongly.
    package func cart(_ candidates: [Candidate]) -> [ScoredItem] {
        let complements = candidates.filter { $0.cart > 0 }
        return diversified(complements, scores: complements.map(\.cart)).map { position, score in
            ScoredItem(
                itemId: complements[position].itemId, categoryId: complements[position].categoryId, score: score,
                source: "cart", because: complements[position].reason(for: "cart"))
        }
    }

    /// Positions of the best candidates, best first (ties by id), at most `maxPerCategory` per category: a list is
    /// shorter rather than one-note. Pops a binary heap of positions kept on the stack until the list is full: a
    /// list takes its few best of ~150 candidates, and sorting them all allocated the sort's scratch per feed.
    func diversified(_ candidates: [Candidate], scores: [Double]) -> [(position: Int, score: Double)] {
        // Scores first; an id is compared (a String read) only on a tie.
        func before(_ lhs: Int, _ rhs: Int) -> Bool {
            scores[lhs] != scores[rhs] ? scores[lhs] > scores[rhs] : candidates[lhs].itemId < candidates[rhs].itemId
        }
        var chosen: [(position: Int, score: Double)] = []
        chosen.reserveCapacity(ranking.topN)
        guard !candidates.isEmpty else { return chosen }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: candidates.count) { heap in
            var count = candidates.count
            for index in 0..<count { heap[index] = index }
            PositionHeap.make(heap, count: count, first: before)
            while count > 0, chosen.count < ranking.topN {
                let position = heap[0]
                count -= 1
                heap.swapAt(0, count)
                PositionHeap.siftDown(heap, count: count, from: 0, first: before)
                if let category = candidates[position].categoryId {
                    // At most topN chosen: counted by a scan, not a dictionary's hash per candidate.
                    var same = 0
                    for entry in chosen where candidates[entry.position].categoryId == category { same += 1 }
                    guard same < ranking.maxPerCategory else { continue }
                }
                chosen.append((position, scores[position]))
            }
        }
        return chosen
    }

    /// Categories and creators to follow, from one visit to the table (its trending items are read once for both).
    /// Topics: the user's interest, and categories whose items are rising overall. Creators: creators of what the
    /// user acted on (behaviour-weighted), and creators whose items rise.
    ///
    /// `rising` is the table's rising groups (`risingGroups(in:)`): the same for every user while the table does not
    /// change, so a task computes it once for all the windows one watermark closes.
    package func groups(for user: UserState, table: ItemTable, rising: RisingGroups) -> (
        topics: [ScoredItem], creators: [ScoredItem]
    ) {
        // Unlabelled tuples, as `blendGroups` takes them: a labelled array passed there was converted, a copy per list.
        let interest = user.interest.top(ranking.topN) { ($0, $1) }
        let affinity = table.read { items -> [String: Double] in
            var affinity: [String: Double] = [:]
            guard items.knowsCreators else { return affinity }
            for interaction in user.history.newestFirst {
                guard let creator = items.attributes(of: interaction.itemId).creatorId else { continue }
                affinity[creator, default: 0] += behaviorWeights[interaction.behavior]
            }
            return affinity
        }
        let topics = Self.blendGroups(interest: interest, rising: rising.categories, limit: ranking.topN) {
            share, rise in
            share >= rise ? .interestShare(percent: Reason.percent(share)) : .risingTopic(fastest: rise >= 0.5)
        }
        let total = affinity.values.reduce(0, +)
        let shares = affinity.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, $0.value / total) }
        let creators = Self.blendGroups(interest: shares, rising: rising.creators, limit: ranking.topN) { share, rise in
            share >= rise ? .engagementShare(percent: Reason.percent(share)) : .trendingCreator
        }
        return (topics, creators)
    }

    /// Categories and creators whose items are rising, each scored by the summed growth of its trending items (the
    /// top group at 1).
    package struct RisingGroups: Sendable {
        var categories: RisingScores
        var creators: RisingScores
    }

    /// Each rising group's score, by id and best first (ties by id). The same for every user of one watermark, so
    /// the order is made once and a user's list merges only its own groups with the first few rising ones — not a
    /// dictionary and sort of every rising group per user, which was most of a window close's topic list.
    struct RisingScores: Sendable {
        var byId: [String: Double]
        var ranked: [(id: String, rise: Double)]

        init(_ byId: [String: Double]) {
            self.byId = byId
            ranked = byId.map { ($0.key, $0.value) }.sorted { ($0.rise, $1.id) > ($1.rise, $0.id) }
        }
    }

    /// The table's rising groups now, from one read of its trending items.
    package static func risingGroups(in table: ItemTable) -> RisingGroups {
        table.read { items in
            let trending = items.trending().map { ($0, items.attributes(of: $0.itemId)) }
            return RisingGroups(
                categories: RisingScores(risingGroups(trending) { $0.categoryId }),
                creators: RisingScores(risingGroups(trending) { $0.creatorId }))
        }
    }

    /// Rising score per group (category, creator): the summed growth of its trending items, the top group at 1.
    static func risingGroups(
        _ trending: [(ItemPopularity.Ranked, (categoryId: String?, creatorId: String?))],
        group: ((categoryId: String?, creatorId: String?)) -> String?
    ) -> [String: Double] {
        var sums: [String: Double] = [:]
        for (entry, attributes) in trending {
            if let key = group(attributes) { sums[key, default: 0] += entry.score }
        }
        guard let top = sums.values.max(), top > 0 else { return [:] }
        return sums.mapValues { $0 / top }
    }

    /// Groups by share of interest + half their rise, the stronger part giving the reason. A group the user has no
    /// share of scores its rise alone, so only the first `limit` of those (in `rising.ranked`'s order, which is the
    /// list's order for them) can make the list.
    static func blendGroups(
        interest: [(String, Double)], rising: RisingScores, limit: Int, reason: (Double, Double) -> Reason
    ) -> [ScoredItem] {
        var entries: [(id: String, share: Double, rise: Double)] = []
        entries.reserveCapacity(interest.count + limit)
        for (id, share) in interest { entries.append((id, share, (rising.byId[id] ?? 0) / 2)) }
        var risingOnly = 0
        for (id, rise) in rising.ranked where risingOnly < limit {
            guard !interest.contains(where: { $0.0 == id }) else { continue }
            entries.append((id, 0, rise / 2))
            risingOnly += 1
        }
        // Sorted in place and mapped once: a map to (id, score, parts) and its sorted copy were two arrays per list,
        // and a window closes about once per event at catalogue scale.
        entries.sort { ($0.share + $0.rise, $1.id) > ($1.share + $1.rise, $0.id) }
        return entries.prefix(limit).map { parts in
            ScoredItem(
                itemId: parts.id, categoryId: nil, score: parts.share + parts.rise,
                source: parts.share >= parts.rise ? "interest" : "trending", because: reason(parts.share, parts.rise))
        }
    }
}
