import Testing

@testable import Recommender

/// The learned ranker's start (issue 18): a new model scores a candidate `TrainerSettings.blendPrior` × its blend
/// score, so it ranks exactly like the blend whatever the prior; the prior only says how much evidence it takes to
/// overturn the blend's order.
@Suite struct RankingPriorTests {
    static func candidates() -> [Candidate] {
        var ranking = RankingSettings()
        ranking.cfSeedPopularityExponent = 0
        let table = ItemTable(maxItems: 100)
        var seed = ItemTableRow(itemId: "s", categoryId: "c", score: 1, updatedAt: 0)
        seed.neighbours = [RelatedItem(itemId: "a", similarity: 0.9), RelatedItem(itemId: "b", similarity: 0.4)]
        table.apply(seed)
        table.apply(ItemTableRow(itemId: "a", categoryId: "c", score: 100, updatedAt: 0))
        table.apply(ItemTableRow(itemId: "b", categoryId: "d", score: 25, updatedAt: 0))
        var user = UserState(settings: UserFeatureSettings())
        user.history.append(Interaction(itemId: "s", categoryId: "c", behavior: .purchase, timestamp: 1))
        let generator = CandidateGenerator(ranking: ranking, cf: CFSettings(), behaviorWeights: BehaviorWeights())
        return generator.candidates(for: user, excluding: nil, at: 2, table: table)
    }

    @Test func theDefaultPriorIsFive() {
        #expect(TrainerSettings().blendPrior == 5)
        #expect(throws: SettingsError.self) {
            var settings = TrainerSettings()
            settings.blendPrior = 0
            try settings.validate()
        }
    }

    @Test(arguments: [1.0, 5.0, 10.0])
    func aNewModelScoresTheBlendTimesItsPrior(prior: Double) {
        var settings = TrainerSettings()
        settings.blendPrior = prior
        let model = RankingFeatures.initialModel(settings)
        let context = RankingFeatures.Context(
            user: UserState(settings: UserFeatureSettings()), trigger: .windowClosed(windowEnd: 0), time: 0,
            bits: settings.hashBits)
        let candidates = Self.candidates()
        #expect(candidates.count == 2)
        var logits: [Double] = []
        for candidate in candidates {
            var features: [Feature] = []
            RankingFeatures.append(candidate, context: context, blend: BlendWeights(), to: &features)
            logits.append(Double(model.logit(features)))
            // The initial embeddings' interactions are tiny, not zero.
            #expect(abs(logits.last! - prior * candidate.blendScore(BlendWeights())) < 1e-3)
        }
        let blend = candidates.map { $0.blendScore(BlendWeights()) }
        #expect((logits[0] < logits[1]) == (blend[0] < blend[1]))
    }
}
