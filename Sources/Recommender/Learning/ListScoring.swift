import StreamEngine

/// A feed list waiting for the user's next actions to label it (kept in the user cache, not in checkpointed state:
/// a list outstanding when a task moves is simply not used for training).
struct PendingList: Sendable {
    var model: String
    var generatedAt: Int64
    /// Listed items in rank order, with the features they were ranked with.
    var items: [(itemId: String, features: [Feature])]
    var hits: Set<String> = []
}

/// Orders a feed with the version the user is assigned to — a learned model's logit over `RankingFeatures`, or the
/// blend when no version is active — and returns the features of the listed items for training.
struct ListScoring {
    let settings: PipelineSettings
    let ranker: HybridRanker

    func feed(
        for userId: String, user: UserState, candidates: [Candidate], at time: Int64, trigger: RecommendationTrigger,
        version: ModelVersion?, itemVectors: inout BoundedCache<String, RankingFeatures.ItemVector>
    ) -> (Recommendation, PendingList) {
        let (items, byItem) = rank(
            candidates, user: user, at: time, trigger: trigger, model: version?.model, itemVectors: &itemVectors)
        let model = version?.version ?? HybridRanker.blendModel
        let list = Recommendation(
            surface: .personalized, subject: userId, generatedAt: time, trigger: trigger, model: model, items: items)
        let pending = PendingList(
            model: model, generatedAt: time, items: items.map { ($0.itemId, byItem[$0.itemId] ?? []) })
        return (list, pending)
    }

    /// Orders a feed by `model`'s logit over `RankingFeatures`, or by the blend when there is none; returns the
    /// listed items with the features of those that have them (every candidate's with a model, the listed ones'
    /// with the blend — the trainer needs them either way).
    func rank(
        _ candidates: [Candidate], user: UserState, at time: Int64, trigger: RecommendationTrigger,
        model: RankingModel?, itemVectors: inout BoundedCache<String, RankingFeatures.ItemVector>
    ) -> (items: [ScoredItem], features: [String: [Feature]]) {
        let blend = settings.blend
        let bits = model?.hashBits ?? settings.trainer.hashBits
        let context = RankingFeatures.Context(user: user, trigger: trigger, time: time, bits: bits)
        func features(_ candidate: Candidate) -> [Feature] {
            var vector = itemVectors.value(for: candidate.itemId, now: time)
            if vector == nil || vector!.bits != bits || vector!.categoryId != candidate.categoryId
                || vector!.creatorId != candidate.creatorId
            {
                vector = RankingFeatures.itemVector(candidate, bits: bits)
                itemVectors.set(vector!, for: candidate.itemId, now: time)
            }
            return RankingFeatures.features(of: candidate, item: vector!, context: context, blend: blend)
        }
        var byItem: [String: [Feature]] = [:]
        let items: [ScoredItem]
        if let model {
            var scores: [String: Double] = [:]
            for candidate in candidates {
                let vector = features(candidate)
                byItem[candidate.itemId] = vector
                scores[candidate.itemId] = Double(model.logit(vector))
            }
            items = ranker.personalized(candidates) { scores[$0.itemId] ?? 0 }
        } else {
            items = ranker.personalized(candidates) { $0.blendScore(blend) }
            let listed = Set(items.map(\.itemId))
            for candidate in candidates where listed.contains(candidate.itemId) {
                byItem[candidate.itemId] = features(candidate)
            }
        }
        return (items, byItem)
    }

    /// Examples from a finished list: every hit a positive, and `negativesPerList` misses drawn evenly from the
    /// whole list (stable by user, time and item) as negatives; a list without a hit only for a sampled share of
    /// lists (stable by user and time), so the few positives are not drowned. Not the best-ranked misses: those have
    /// the list's highest blend scores, so as the only negatives they taught the model that a high blend score
    /// predicts a miss (on MovieLens the trained model fell far below its untrained prior).
    func examples(of pending: PendingList, userId: String) -> [TrainingExample] {
        let sampled =
            pending.hits.isEmpty && !Self.sample(userId, pending.generatedAt, rate: settings.missedListSampleRate)
        if sampled { return [] }
        func draw(_ itemId: String) -> Double {
            var hash = StableHash(seed: UInt64(bitPattern: pending.generatedAt))
            hash.combine(userId)
            hash.combine(itemId)
            return hash.unitInterval
        }
        let misses = pending.items.filter { !$0.features.isEmpty && !pending.hits.contains($0.itemId) }
        let negatives = Set(
            misses.map(\.itemId).sorted { (draw($0), $0) < (draw($1), $1) }.prefix(settings.negativesPerList))
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
