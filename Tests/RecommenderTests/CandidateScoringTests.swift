import Testing

@testable import Recommender

@Suite struct CandidateScoringTests {
    /// Each seed proposes its top `neighboursPerSeed` neighbours, and a candidate's CF is summed over every seed that
    /// stores it (issue 18: truncating the sum to each seed's proposals cost most of the gap to the plain item-CF);
    /// a neighbour no source proposed stays out.
    @Test func aCandidateScoresOverEverySeedThatStoresIt() {
        var ranking = RankingSettings()
        (ranking.cfSeeds, ranking.neighboursPerSeed, ranking.cfSeedPopularityExponent) = (2, 1, 0)
        let table = ItemTable(maxItems: 100)
        for (seed, neighbours) in [("a", [("x", 0.9), ("y", 0.5), ("z", 0.3)]), ("b", [("y", 0.8), ("x", 0.4)])] {
            var row = ItemTableRow(itemId: seed, categoryId: "c", score: 1, updatedAt: 0)
            row.neighbours = neighbours.map { RelatedItem(itemId: $0.0, similarity: $0.1) }
            table.apply(row)
        }
        var user = UserState(settings: UserFeatureSettings())
        for (itemId, time) in [("b", Int64(1)), ("a", 2)] {
            user.history.append(Interaction(itemId: itemId, categoryId: "c", behavior: .purchase, timestamp: time))
        }
        let generator = CandidateGenerator(ranking: ranking, cf: CFSettings(), behaviorWeights: BehaviorWeights())
        let candidates = generator.candidates(
            for: user, excluding: nil, at: 3, table: table)
        let cf = Dictionary(uniqueKeysWithValues: candidates.map { ($0.itemId, $0.cf) })
        // a (weight 1) proposes x, b (weight 0.8) proposes y; then x = 0.9 + 0.8 × 0.4, y = 0.8 × 0.8 + 0.5.
        #expect(cf["x"] == 1)
        #expect(abs((cf["y"] ?? 0) - 1.14 / 1.22) < 1e-9)
        #expect(cf["z"] == nil)
    }
}
