import Evaluation
import Testing

@testable import Recommender

/// A feed ranks the best `rankedCandidates` by the blend and every cart complement; the shortlist is chosen with a
/// bounded heap, so it is checked against a full sort (ties by id), ties and all, and must keep the candidates'
/// order.
@Suite struct ShortlistTests {
    @Test func theShortlistIsWhatAFullSortPutsFirstPlusTheCartInTheCandidatesOrder() {
        var random = SeededRandom(seed: 5)
        let blend = BlendWeights()
        for round in 0..<300 {
            // Few distinct values, so most rounds have ties at the cut.
            let candidates = (0..<random.below(120)).map { index in
                var candidate = Candidate(itemId: "i\(random.below(1_000))-\(index)", hash: index)
                candidate.cf = Double(random.below(4)) / 3
                candidate.popular = Double(random.below(3)) / 2
                candidate.cart = random.below(10) == 0 ? 0.5 : 0
                return candidate
            }
            let limit = 1 + random.below(60)
            let best = Set(
                candidates.sorted {
                    $0.blendScore(blend) != $1.blendScore(blend)
                        ? $0.blendScore(blend) > $1.blendScore(blend) : $0.itemId < $1.itemId
                }.prefix(limit).map(\.itemId))
            let expected = candidates.filter { best.contains($0.itemId) || $0.cart > 0 }.map(\.itemId)
            var kept = candidates
            Shortlist.keep(&kept, limit: limit, blend: blend)
            #expect(kept.map(\.itemId) == expected, "round \(round): \(limit) of \(candidates.count)")
        }
    }
}
