import StreamEngine

/// A feed list waiting for the user's next actions to label it (kept in the user cache, not in checkpointed state:
/// a list outstanding when a task moves is simply not used for training).
package struct PendingList: Sendable {
    package var model: String
    package var generatedAt: Int64
    /// Listed items in rank order.
    package var itemIds: [String]
    /// The features each listed item was ranked with, in the same order.
    package var features: ListFeatures
    package var hits: Set<String> = []
}

/// The features of a list's items, one item's after another in one array: a feed made an array per listed item and
/// a dictionary of them, a dozen allocations, though most lists are never labelled.
package struct ListFeatures: Sendable {
    private var all: [Feature] = []
    /// Where each item's features end in `all`.
    private var ends: [Int] = []

    init(capacity: Int) {
        all.reserveCapacity(capacity * RankingFeatures.fieldCount)
        ends.reserveCapacity(capacity)
    }

    /// The next item's features, appended by `body`.
    mutating func appendItem(_ body: (inout [Feature]) -> Void) {
        body(&all)
        ends.append(all.count)
    }

    subscript(item: Int) -> ArraySlice<Feature> { all[(item == 0 ? 0 : ends[item - 1])..<ends[item]] }
}

/// Orders a feed with the version the user is assigned to — a learned model's logit over `RankingFeatures`, or the
/// blend when no version is active — and returns the features of the listed items for training.
package struct ListScoring {
    let ranking: RankingSettings
    let labels: LabelSettings
    let trainer: TrainerSettings
    let ranker: HybridRanker

    package init(ranking: RankingSettings, labels: LabelSettings, trainer: TrainerSettings, ranker: HybridRanker) {
        (self.ranking, self.labels, self.trainer, self.ranker) = (ranking, labels, trainer, ranker)
    }

    package func feed(
        for userId: String, user: UserState, candidates: [Candidate], at time: Int64, trigger: RecommendationTrigger,
        version: ModelVersion?
    ) -> (Recommendation, PendingList) {
        let (items, features) = rank(candidates, user: user, at: time, trigger: trigger, model: version?.model)
        let model = version?.version ?? HybridRanker.blendModel
        let list = Recommendation(
            surface: .personalized, subject: userId, generatedAt: time, trigger: trigger, model: model, items: items)
        let pending = PendingList(model: model, generatedAt: time, itemIds: items.map(\.itemId), features: features)
        return (list, pending)
    }

    /// Orders a feed by `model`'s logit over `RankingFeatures`, or by the blend when there is none; returns the
    /// listed items with their features (the trainer needs them either way). A model scores every candidate from
    /// one scratch vector refilled in place: no allocation per candidate, and only the listed items' features are
    /// kept.
    package func rank(
        _ candidates: [Candidate], user: UserState, at time: Int64, trigger: RecommendationTrigger,
        model: RankingModel?
    ) -> (items: [ScoredItem], features: ListFeatures) {
        let blend = ranking.blend
        let bits = model?.hashBits ?? trainer.hashBits
        let context = RankingFeatures.Context(user: user, trigger: trigger, time: time, bits: bits)
        var scores = [Double](repeating: 0, count: candidates.count)
        if let model {
            var scratch: [Feature] = []
            scratch.reserveCapacity(RankingFeatures.fieldCount)
            for position in candidates.indices {
                scratch.removeAll(keepingCapacity: true)
                RankingFeatures.append(candidates[position], context: context, blend: blend, to: &scratch)
                scores[position] = Double(model.logit(scratch))
            }
        } else {
            for position in candidates.indices { scores[position] = candidates[position].blendScore(blend) }
        }
        let ranked = ranker.ranked(candidates, scores: scores)
        var features = ListFeatures(capacity: ranked.count)
        for (position, _) in ranked {
            features.appendItem {
                RankingFeatures.append(candidates[position], context: context, blend: blend, to: &$0)
            }
        }
        return (ranked.map(\.item), features)
    }

    /// Examples from a finished list: every hit a positive, and `negativesPerList` misses drawn evenly from the
    /// whole list (stable by user, time and item) as negatives; a list without a hit only for a sampled share of
    /// lists (stable by user and time), so the few positives are not drowned. Not the best-ranked misses: those have
    /// the list's highest blend scores, so as the only negatives they taught the model that a high blend score
    /// predicts a miss (on MovieLens the trained model fell far below its untrained prior).
    package func examples(of pending: PendingList, userId: String) -> [TrainingExample] {
        let sampled =
            pending.hits.isEmpty && !Self.sample(userId, pending.generatedAt, rate: labels.missedListSampleRate)
        if sampled { return [] }
        func draw(_ itemId: String) -> Double {
            var hash = StableHash(seed: UInt64(bitPattern: pending.generatedAt))
            hash.combine(userId)
            hash.combine(itemId)
            return hash.unitInterval
        }
        let listed = pending.itemIds.indices
        let misses = listed.filter { !pending.features[$0].isEmpty && !pending.hits.contains(pending.itemIds[$0]) }
        let negatives = Set(
            misses.map { pending.itemIds[$0] }.sorted { (draw($0), $0) < (draw($1), $1) }
                .prefix(labels.negativesPerList))
        return listed.compactMap { item in
            let (itemId, features) = (pending.itemIds[item], pending.features[item])
            let clicked = pending.hits.contains(itemId)
            guard !features.isEmpty, clicked || negatives.contains(itemId) else { return nil }
            return TrainingExample(model: pending.model, clicked: clicked, features: Array(features))
        }
    }

    static func sample(_ userId: String, _ time: Int64, rate: Double) -> Bool {
        var hash = StableHash(seed: UInt64(bitPattern: time))
        hash.combine(userId)
        return hash.unitInterval < rate
    }
}
