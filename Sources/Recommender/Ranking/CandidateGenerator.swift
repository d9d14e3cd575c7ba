import Foundation
import StreamEngine

/// Gathers a user's candidates from every source — CF neighbours of recent items, cart complements, popular items of
/// the user's categories, trending items (in those categories and overall), the overall chart — with one visit to
/// the shared item table, and filters out what the user already has.
struct CandidateGenerator {
    let settings: PipelineSettings
    /// How many of the user's strongest categories feed content and trending candidates.
    static let categoriesConsidered = 3
    /// Recent distinct items whose neighbours are CF candidates.
    static let cfSeeds = 5

    struct Seeds {
        /// Recent distinct items, newest first, with their weight (behaviour × recency).
        var recent: [(interaction: Interaction, weight: Double)] = []
        var cart: [String] = []
    }

    func seeds(of user: UserState, at time: Int64) -> Seeds {
        var seeds = Seeds()
        let strongest = Behavior.allCases.map { settings.behaviorWeights[$0] }.max() ?? 1
        for interaction in user.history.newestFirst where seeds.recent.count < Self.cfSeeds {
            guard !seeds.recent.contains(where: { $0.interaction.itemId == interaction.itemId }) else { continue }
            let age = Double(max(0, time - interaction.timestamp))
            let weight =
                settings.behaviorWeights[interaction.behavior] / max(strongest, 1e-9)
                * exp2(-age / Double(settings.interestHalfLife))
            seeds.recent.append((interaction, weight))
        }
        seeds.cart = user.cart
        return seeds
    }

    /// Seeds' neighbours and complements are read fresh from the table (they change with every co-occurrence), in
    /// the same visit as the charts.
    func candidates(for user: UserState, excluding trigger: String?, at time: Int64, table: ItemTable) -> [Candidate] {
        let seeds = seeds(of: user, at: time)
        let interest = user.interest.top(Self.categoriesConsidered)
        // Each source offers twice the list, so diversity and filters have room.
        let topN = 2 * settings.topN
        let gathered = table.read { items -> [String: Candidate] in
            var pool: [String: Candidate] = [:]
            for (interaction, weight) in seeds.recent {
                for neighbour in items.stats(of: interaction.itemId)?.neighbours ?? [] {
                    let contribution = weight * neighbour.similarity
                    var candidate = pool[neighbour.itemId] ?? Candidate(itemId: neighbour.itemId)
                    if contribution > candidate.cfViaWeight {
                        (candidate.cfVia, candidate.cfViaWeight) = (interaction, contribution)
                    }
                    candidate.cf += contribution
                    pool[neighbour.itemId] = candidate
                }
            }
            for cartItem in seeds.cart {
                for complement in items.stats(of: cartItem)?.complements ?? [] {
                    var candidate = pool[complement.itemId] ?? Candidate(itemId: complement.itemId)
                    if complement.similarity > candidate.cartViaWeight {
                        (candidate.cartVia, candidate.cartViaWeight) = (cartItem, complement.similarity)
                    }
                    candidate.cart += complement.similarity
                    pool[complement.itemId] = candidate
                }
            }
            for (category, share) in interest {
                let chart = items.top(inCategory: category)
                if let best = chart.first?.score, best > 0 {
                    for entry in chart.prefix(topN) {
                        pool[entry.itemId, default: Candidate(itemId: entry.itemId)].raise(
                            \.content, to: share * entry.score / best
                        ) { $0.contentShare = share }
                    }
                }
                let trending = items.trending(inCategory: category)
                if let best = trending.first?.score {
                    for entry in trending.prefix(topN) {
                        pool[entry.itemId, default: Candidate(itemId: entry.itemId)].raise(
                            \.trending, to: share * entry.score / best
                        ) { $0.trendingIn = category }
                    }
                }
            }
            let trending = items.trending()
            if let best = trending.first?.score {
                for entry in trending.prefix(topN) {
                    pool[entry.itemId, default: Candidate(itemId: entry.itemId)].raise(
                        \.trending, to: 0.5 * entry.score / best
                    ) { $0.trendingIn = nil }
                }
            }
            if let best = items.top.first?.score, best > 0 {
                for entry in items.top.prefix(topN) {
                    pool[entry.itemId, default: Candidate(itemId: entry.itemId)].popular = entry.score / best
                }
            }
            for (itemId, candidate) in pool {
                let stats = items.stats(of: itemId)
                pool[itemId]!.categoryId = candidate.categoryId ?? stats?.categoryId
                pool[itemId]!.creatorId = stats?.creatorId
            }
            return pool
        }
        let shares = Dictionary(interest.map { ($0.category, $0.share) }, uniquingKeysWith: { first, _ in first })
        var candidates: [Candidate] = []
        candidates.reserveCapacity(gathered.count)
        for (itemId, var candidate) in gathered where isAllowed(itemId, for: user, trigger: trigger) {
            candidate.interestShare = candidate.categoryId.flatMap { shares[$0] } ?? 0
            candidates.append(candidate)
        }
        Self.normalise(\.cf, in: &candidates)
        Self.normalise(\.cart, in: &candidates)
        // Sorted by id: the pool is a dictionary, and the order must not depend on its hashing.
        candidates.sort { $0.itemId < $1.itemId }
        return candidates
    }

    func isAllowed(_ itemId: String, for user: UserState, trigger: String?) -> Bool {
        if itemId == trigger || user.cart.contains(itemId) { return false }
        if settings.filterSeen, user.history.contains(itemId: itemId) { return false }
        if settings.filterPurchased, user.purchased.contains(itemId) { return false }
        return true
    }

    /// Sums (CF, cart) are scaled so the strongest candidate has 1.
    static func normalise(_ keyPath: WritableKeyPath<Candidate, Double>, in candidates: inout [Candidate]) {
        guard let strongest = candidates.map({ $0[keyPath: keyPath] }).max(), strongest > 0 else { return }
        for index in candidates.indices { candidates[index][keyPath: keyPath] /= strongest }
    }
}

extension Candidate {
    /// Keeps the strongest proposal of a source, and what made it.
    mutating func raise(
        _ keyPath: WritableKeyPath<Candidate, Double>, to value: Double, because: (inout Candidate) -> Void
    ) {
        guard value > self[keyPath: keyPath] else { return }
        self[keyPath: keyPath] = value
        because(&self)
    }
}
