import Testing

@testable import Recommender

/// The default diversity cap (`RankingSettings.maxPerCategory`, 8 since issue 18's session 11; 5 before): a list
/// keeps at most that many of one category, however far they outscore the rest, and fills up with the best others.
@Suite struct DiversityTests {
    @Test func aDefaultFeedListsAtMostEightOfOneCategoryAndFillsUpWithTheBestOthers() {
        let ranking = RankingSettings()
        let ranker = HybridRanker(ranking: ranking, behaviorWeights: BehaviorWeights())
        // Twelve of one category, each above every other candidate; then eight of eight other categories.
        let candidates = (0..<20).map { index in
            var candidate = Candidate(itemId: "i\(100 + index)", hash: index)
            candidate.categoryId = index < 12 ? "drama" : "c\(index)"
            candidate.cf = 1 - Double(index) / 100
            return candidate
        }
        let listed = ranker.personalized(candidates) { $0.cf }.map(\.itemId)
        let dramas = listed.filter { Int($0.dropFirst())! < 112 }
        #expect(listed.count == ranking.topN)
        #expect(dramas.count == 8)
        // The eight best of the category, then the best of the others in score order.
        #expect(dramas == (100..<108).map { "i\($0)" })
        #expect(Array(listed.dropFirst(8)) == (112..<114).map { "i\($0)" })
    }
}
