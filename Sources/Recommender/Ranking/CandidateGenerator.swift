import Foundation
import StreamEngine

/// Gathers a user's candidates from every source — CF neighbours of recent items, cart complements, popular items of
/// the user's categories, trending items (in those categories and overall), the overall chart — with one visit to
/// the shared item table, and filters out what the user already has.
package struct CandidateGenerator {
    let ranking: RankingSettings
    let cf: CFSettings
    let behaviorWeights: BehaviorWeights

    package init(ranking: RankingSettings, cf: CFSettings, behaviorWeights: BehaviorWeights) {
        (self.ranking, self.cf, self.behaviorWeights) = (ranking, cf, behaviorWeights)
    }
    /// How many of the user's strongest categories feed content and trending candidates.
    static let categoriesConsidered = 3

    struct Seeds {
        /// Recent distinct items, newest first, with their weight (behaviour × recency).
        var recent: [(interaction: Interaction, weight: Double)] = []
        package var cart: [String] = []
    }

    func seeds(of user: UserState, at time: Int64) -> Seeds {
        var seeds = Seeds()
        var strongest = -Double.infinity
        for behavior in Behavior.allCases { strongest = max(strongest, behaviorWeights[behavior]) }
        for interaction in user.history.newestFirst where seeds.recent.count < ranking.cfSeeds {
            guard !seeds.recent.contains(where: { $0.interaction.itemId == interaction.itemId }) else { continue }
            // Recency by position, not by time: the n-th newest seed counts cfSeedDecay^n whether the user's last
            // session was a minute or a month ago (a time decay made every seed but the last session's worthless).
            let weight =
                behaviorWeights[interaction.behavior] / max(strongest, 1e-9)
                * pow(ranking.cfSeedDecay, Double(seeds.recent.count))
            seeds.recent.append((interaction, weight))
        }
        seeds.cart = user.cart
        return seeds
    }

    /// Seeds' neighbours and complements are read fresh from the table (they change with every co-occurrence), in
    /// the same visit as the charts. Each source offers a bounded number: content and trending a few per category
    /// (diversity keeps at most `maxPerCategory` of one category anyway), overall trending half the list, the
    /// overall chart twice the list.
    ///
    /// A feed ranks only the `Shortlist` (`RankingSettings.rankedCandidates`); `everySource` keeps every candidate,
    /// for the evaluation's single-source strategies, which rank their own source's best.
    package func candidates(
        for user: UserState, excluding trigger: String?, at time: Int64, table: ItemTable, everySource: Bool = false
    ) -> [Candidate] {
        let seeds = seeds(of: user, at: time)
        let interest = user.interest.top(Self.categoriesConsidered)
        let perCategory = 2 * ranking.maxPerCategory
        let overall = (ranking.topN + 1) / 2
        let excluded = ItemExclusions(
            for: user, trigger: trigger, seen: ranking.filterSeen, purchased: ranking.filterPurchased)
        // The pool's array is handed out and the pool dropped inside the read: kept alive beside it, the array was
        // copied (every candidate's strings retained) by the first removal below.
        var candidates = table.read { items -> [Candidate] in
            var pool = CandidatePool(capacity: 256)
            // Each seed proposes its `neighboursPerSeed` strongest neighbours; the rest of its stored list only
            // scores candidates that some source proposed (below, once all have). A candidate's CF is then its sum
            // over every seed that stores it, not only over the seeds whose top few it is in: truncating each
            // seed's sum to its top 20 was what cost StreamRec's CF most of its gap to the plain item-CF.
            var tails: [(seed: Int, weight: Double, neighbours: ArraySlice<RelatedItem>)] = []
            tails.reserveCapacity(seeds.recent.count)
            for (seed, (interaction, seedWeight)) in seeds.recent.enumerated() {
                let (weight, neighbours) =
                    items.peekStats(of: interaction.itemId) { seed in
                        (seedWeight * seedPopularityWeight(seed, at: time), seed.neighbours)
                    } ?? (seedWeight, [])
                let proposed = min(ranking.neighboursPerSeed, neighbours.count)
                for neighbour in neighbours[..<proposed] {
                    pool.update(neighbour.itemId, hash: neighbour.hash) {
                        $0.addCF(weight * neighbour.similarity, via: seed)
                    }
                }
                if proposed < neighbours.count { tails.append((seed, weight, neighbours[proposed...])) }
            }
            for cartItem in seeds.cart {
                for complement in items.complements(of: cartItem) {
                    pool.update(complement.itemId, hash: complement.hash) { candidate in
                        if complement.similarity > candidate.cartViaWeight {
                            (candidate.cartVia, candidate.cartViaWeight) = (cartItem, complement.similarity)
                        }
                        candidate.cart += complement.similarity
                    }
                }
            }
            /// Trending in `category` (nil: overall), the list's best at `weight`.
            func offerTrending(in category: String?, limit: Int, weight: Double) {
                var best: Double?
                items.forEachTrending(inCategory: category, limit: limit) { entry in
                    let top = best ?? entry.score
                    best = top
                    pool.update(entry.itemId, hash: entry.hash) {
                        $0.raise(\.trending, to: weight * entry.score / top) { $0.trendingIn = category }
                    }
                }
            }
            for (category, share) in interest {
                let chart = items.top(inCategory: category)
                if let best = chart.first?.score, best > 0 {
                    for entry in chart.prefix(perCategory) {
                        pool.update(entry.itemId, hash: entry.hash) {
                            $0.raise(\.content, to: share * entry.score / best) { $0.contentShare = share }
                        }
                    }
                }
                offerTrending(in: category, limit: ranking.maxPerCategory, weight: share)
            }
            offerTrending(in: nil, limit: overall, weight: 0.5)
            // The overall chart fills lists that filters and diversity left short: twice the list, of items the
            // user may be shown (the chart's head is what a long-time user has seen).
            if let best = items.top.first?.score, best > 0 {
                var offered = 0
                for entry in items.top where offered < 2 * ranking.topN {
                    guard !excluded.contains(entry.itemId, hash: entry.hash) else { continue }
                    offered += 1
                    pool.update(entry.itemId, hash: entry.hash) { $0.popular = entry.score / best }
                }
            }
            for (seed, weight, neighbours) in tails {
                for neighbour in neighbours {
                    guard let position = pool.position(of: neighbour.itemId, hash: neighbour.hash) else { continue }
                    pool.candidates[position].addCF(weight * neighbour.similarity, via: seed)
                }
            }
            return pool.takeCandidates()
        }
        candidates.removeAll { excluded.contains($0.itemId, hash: $0.hash) }
        Self.normalise(&candidates, get: { $0.cf }, set: { $0.cf /= $1 })
        Self.normalise(&candidates, get: { $0.cart }, set: { $0.cart /= $1 })
        if !everySource { Shortlist.keep(&candidates, limit: ranking.rankedCandidates, blend: ranking.blend) }
        for position in candidates.indices where candidates[position].cfViaSeed >= 0 {
            candidates[position].cfVia = seeds.recent[candidates[position].cfViaSeed].interaction
        }
        table.read { items in items.fillAttributes(of: &candidates) }
        // `interest` has at most `categoriesConsidered` entries: scanned, not hashed per candidate.
        for position in candidates.indices {
            guard let category = candidates[position].categoryId else { continue }
            candidates[position].interestShare = interest.first { $0.category == category }?.share ?? 0
        }
        // In the order sources proposed them, which is deterministic; rankers break score ties by id.
        return candidates
    }

    /// What a feed ranks of `candidates` (every candidate, as `candidates(…, everySource: true)` returns them).
    package func shortlist(of candidates: [Candidate]) -> [Candidate] {
        var shortlist = candidates
        Shortlist.keep(&shortlist, limit: ranking.rankedCandidates, blend: ranking.blend)
        return shortlist
    }

    /// A seed's CF contributions are its neighbours' cosines times pop(seed)^cfSeedPopularityExponent: with 0.5
    /// the seed's own popularity cancels out of the cosine and a candidate scores co(seed, c)/sqrt(pop(c)), so a
    /// popular seed, whose co-occurrences carry as much evidence as a niche one's, is not discounted for it.
    func seedPopularityWeight(_ seed: borrowing ItemPopularity.Stats, at time: Int64) -> Double {
        guard ranking.cfSeedPopularityExponent != 0, seed.recentScore > 0 else { return 1 }
        let decayed =
            seed.recentScore
            / CoOccurrenceCounts.scale(from: seed.updatedAt, to: time, halfLife: cf.coOccurrenceHalfLife)
        return pow(decayed, ranking.cfSeedPopularityExponent)
    }

    /// Sums (CF, cart) are scaled so the strongest candidate has 1.
    static func normalise(
        _ candidates: inout [Candidate], get: (borrowing Candidate) -> Double, set: (inout Candidate, Double) -> Void
    ) {
        // Closures, not a key path: a key path is read through its generic getter per candidate, which was 4-5 %
        // of a feed's time in a profile.
        var strongest = 0.0
        for index in candidates.indices { strongest = max(strongest, get(candidates[index])) }
        guard strongest > 0 else { return }
        for index in candidates.indices { set(&candidates[index], strongest) }
    }
}

extension Candidate {
    /// Adds one seed's CF contribution, remembering the strongest seed (its position among the seeds) as the reason.
    /// A position, not the seed's `Interaction`: storing that retained and released its two strings at every
    /// stronger contribution, about a thousand contributions per feed; `candidates` resolves it once per candidate.
    mutating func addCF(_ contribution: Double, via seed: Int) {
        if contribution > cfViaWeight { (cfViaSeed, cfViaWeight) = (seed, contribution) }
        cf += contribution
    }

    /// Keeps the strongest proposal of a source, and what made it.
    mutating func raise(
        _ keyPath: WritableKeyPath<Candidate, Double>, to value: Double, because: (inout Candidate) -> Void
    ) {
        guard value > self[keyPath: keyPath] else { return }
        self[keyPath: keyPath] = value
        because(&self)
    }
}
