import Evaluation
import Testing

@testable import Recommender

/// `SmallMap` keeps its first entry inline and the rest in a dictionary: checked against `Dictionary` and `Set` on
/// random updates with few distinct keys (so the inline key is hit, repeated and followed by others), ranking
/// included.
@Suite struct SmallMapTests {
    @Test func aSmallMapAgreesWithADictionaryOnEveryUpdateAndItsRanking() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<300 {
            var small = SmallMap<String, Double>()
            var reference: [String: Double] = [:]
            var set = SmallSet<String>()
            var referenceSet: Set<String> = []
            for _ in 0..<random.below(12) {
                let key = "c\(random.below(6))"
                let weight = Double(random.below(4))
                small.update(key, initial: 0.5) { $0 += weight }
                reference[key, default: 0.5] += weight
                set.insert(key)
                referenceSet.insert(key)
                #expect(small.count == reference.count)
                #expect(small[key] == reference[key])
                #expect(set.count == referenceSet.count)
                #expect(set.contains(key))
            }
            #expect(small.isEmpty == reference.isEmpty)
            #expect(small["absent"] == nil)
            #expect(!set.contains("absent"))
            #expect(Set(set.elements) == referenceSet)
            #expect(set.elements.count == referenceSet.count)
            let entries = small.entries.sorted { $0.key < $1.key }
            #expect(entries.map(\.key) == reference.keys.sorted())
            #expect(entries.map(\.value) == reference.keys.sorted().map { reference[$0]! })
            let ranked = small.withRankedEntries { $0.map { "\($0.key)=\($0.value)" } }
            let expected = reference.withRankedEntries { $0.map { "\($0.key)=\($0.value)" } }
            #expect(ranked == expected)
        }
    }
}
