import Evaluation
import Testing

@testable import Recommender

/// A neighbour refresh keeps an item's `count` partners with the most co-occurrence; it chooses them without sorting
/// them, so the choice is checked against a full sort (ties by id), ties and all.
@Suite struct CoOccurrenceSelectionTests {
    @Test func theChosenPartnersAreThoseAFullSortPutsFirst() {
        var random = SeededRandom(seed: 7)
        for round in 0..<200 {
            var partners: [String: CoOccurrenceCounts.Counts] = [:]
            // Few distinct weights, so most rounds have ties at the threshold; some weights are 0 (never chosen).
            for partner in 0..<random.below(60) {
                let weight = Double(random.below(6))
                let id = "p\(partner)"
                partners[id] = .init(all: weight, conversion: Double(random.below(3)), hash: id.hashValue)
            }
            let count = random.below(20)
            let sorted = partners.filter { $0.value.all > 0 }
                .sorted { $0.value.all != $1.value.all ? $0.value.all > $1.value.all : $0.key < $1.key }
                .prefix(count).map(\.key)
            let chosen = CoOccurrenceCounts.most(partners, count, \.all).map(\.0)
            #expect(chosen.sorted() == sorted.sorted(), "round \(round): \(count) of \(partners.count)")
        }
    }
}

extension CoOccurrenceSelectionTests {
    @Test func theSelectionFindsTheRankThLargestAsASortDoes() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<500 {
            var values = (0..<(1 + random.below(80))).map { _ in Double(random.below(12)) }
            let rank = 1 + random.below(values.count)
            let expected = values.sorted(by: >)[rank - 1]
            #expect(CoOccurrenceCounts.largest(rank, of: &values) == expected)
        }
    }
}
