import Evaluation
import Testing

@testable import Recommender

/// The compact attribute index answers as the table's own store does (attributes and popularity): checked against a dictionary through random
/// adds, changes and removals with hashes that collide on purpose (long probe runs, removals inside them), and
/// through a table small enough to evict.
@Suite struct ItemAttributeIndexTests {
    @Test func itAnswersAsADictionaryThroughCollidingAddsAndRemovals() {
        var random = SeededRandom(seed: 9)
        for round in 0..<50 {
            var index = ItemAttributeIndex()
            var expected: [String: String] = [:]
            // Few distinct hashes for many ids: every probe run is long and crosses others.
            let hash = { (id: String) in (id.utf8.reduce(0) { $0 &+ Int($1) }) % 13 }
            for _ in 0..<600 {
                let id = "i\(random.below(120))"
                if random.below(3) == 0 {
                    index.remove(id, hash: hash(id))
                    expected[id] = nil
                } else {
                    let category = "c\(random.below(9))"
                    index.set(
                        .init(
                            itemId: id, hash: hash(id), categoryId: category, creatorId: nil, score: 1, recentScore: 1,
                            updatedAt: 0))
                    expected[id] = category
                }
            }
            #expect(index.count == expected.count, "round \(round)")
            for item in 0..<120 {
                let id = "i\(item)"
                #expect(index.attributes(of: id, hash: hash(id))?.categoryId == expected[id], "round \(round): \(id)")
            }
        }
    }

    @Test func theTableAnswersByHashAsByIdThroughEvictions() {
        var random = SeededRandom(seed: 4)
        var table = ItemPopularity(maxItems: 40)
        for step in 0..<2_000 {
            let id = "i\(random.below(100))"
            var row = ItemTableRow(
                itemId: id, categoryId: "c\(random.below(7))", score: Double(1 + random.below(5)),
                updatedAt: Int64(step))
            row.creatorId = random.below(2) == 0 ? "k\(random.below(4))" : nil
            row.recentScore = Double(random.below(9))
            table.apply(row)
        }
        #expect(table.evictions > 0)
        for item in 0..<100 {
            let id = "i\(item)"
            let byId = table.attributes(of: id)
            let byHash = table.attributes(of: id, hash: id.hashValue)
            #expect(byId.categoryId == byHash.categoryId && byId.creatorId == byHash.creatorId, "\(id)")
            // The ranking features' hashes follow the attributes through every change of category and creator.
            let hashes = ItemFeatureHashes(categoryId: byId.categoryId, creatorId: byId.creatorId)
            #expect(byHash.featureHashes == (byId.categoryId == nil ? nil : hashes), "\(id)")
            // A neighbour refresh reads partners' popularity by hash: the same as through the store.
            let popularity = table.recentPopularity(of: id, at: 3_000, halfLife: 500)
            #expect(table.recentPopularity(of: id, hash: id.hashValue, at: 3_000, halfLife: 500) == popularity, "\(id)")
        }
        // A feed's shortlist is filled in one call: the same attributes, and none left over for an item not stored.
        var candidates = (0..<100).map { item -> Candidate in
            var candidate = Candidate(itemId: "i\(item)", hash: "i\(item)".hashValue)
            (candidate.categoryId, candidate.creatorId) = ("stale", "stale")
            return candidate
        }
        table.fillAttributes(of: &candidates)
        for candidate in candidates {
            let byHash = table.attributes(of: candidate.itemId, hash: candidate.hash)
            #expect(candidate.categoryId == byHash.categoryId && candidate.creatorId == byHash.creatorId)
            #expect(candidate.featureHashes == byHash.featureHashes, "\(candidate.itemId)")
        }
        #expect(candidates.contains { $0.categoryId == nil } && candidates.contains { $0.categoryId != nil })
    }

    /// A feature made from an attribute's stored hash is the feature made from the attribute's string, at every width.
    @Test func aStoredHashGivesTheFeatureOfItsString() {
        let hashes = ItemFeatureHashes(categoryId: "c42", creatorId: "creator-7")
        for bits in [1, 8, 16, 18, 24, 62] {
            #expect(
                RankingFeatures.categorical(.itemCategory, hash: hashes.category!, bits: bits)
                    == RankingFeatures.categorical(.itemCategory, "c42", bits: bits))
            #expect(
                RankingFeatures.categorical(.creator, hash: hashes.creator!, bits: bits)
                    == RankingFeatures.categorical(.creator, "creator-7", bits: bits))
        }
        let none = ItemFeatureHashes(categoryId: nil, creatorId: nil)
        #expect(none.category == nil && none.creator == nil)
    }
}
