import StreamEngine

/// A feed list waiting for the user's next actions to label it (kept in the user cache, not in checkpointed state:
/// a list outstanding when a task moves is simply not used for training).
package struct PendingList: Sendable {
    package var model: String
    package var generatedAt: Int64
    /// Listed items in rank order, with the features they were ranked with.
    package var items: [(itemId: String, features: [Feature])]
    package var hits: Set<String> = []
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
        let (items, byItem) = rank(candidates, user: user, at: time, trigger: trigger, model: version?.model)
        let model = version?.version ?? HybridRanker.blendModel
        let list = Recommendation(
            surface: .personalized, subject: userId, generatedAt: time, trigger: trigger, model: model, items: items)
        let pending = PendingList(
            model: model, generatedAt: time, items: items.map { ($0.itemId, byItem[$0.itemId] ?? []) })
        return (list, pending)
    }

    /// Orders a feed by `model`'s logit over `RankingFeatures`, or by the blend when there is none; returns the
    /// listed items with their features (the trainer needs them either way). A model scores every candidate from
    /// one scratch vector refilled in place: no allocation per candidate, and only the listed items' features are
    /// kept.
    package func rank(
        _ candidates: [Candidate], user: UserState, at time: Int64, trigger: RecommendationTrigger,
        model: RankingModel?
    ) -> (items: [ScoredItem], features: [String: [Feature]]) {
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
        var byItem = [String: [Feature]](minimumCapacity: ranked.count)
        for (position, item) in ranked {
            var features: [Feature] = []
            features.reserveCapacity(RankingFeatures.fieldCount)
            RankingFeatures.append(candidates[position], context: context, blend: blend, to: &features)
            byItem[item.itemId] = features
        }
        return (ranked.map(\.item), byItem)
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
        let misses = pending.items.filter { !$0.features.isEmpty && !pending.hits.contains($0.itemId) }
        let negatives = Set(
            misses.map(\.itemId).sorted { (draw($0), $0) < (draw($1), $1) }.prefix(labels.negativesPerList))
        return pending.items.compactMap { itemId, features in
            let clicked = pending.hits.contains(itemId)
            guard !features.isEmpty, clicked || negatives.contains(itemId) else { return nil }
            return TrainingExample(model: pending.model, clicked: clicked, features: features)
        }
    }

    static func sample(_ userId: String, _ time: Int64, rate: Double) -> Bool {
        var hash = StableHash(seed: UInt64(bitPattern: time))
        hash.combine(userId)
        return hash.unitInterval < rate
    }
}
