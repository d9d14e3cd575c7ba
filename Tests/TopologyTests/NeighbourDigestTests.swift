import Evaluation
import Recommender
import Testing

@testable import Topology

/// A similar list goes out when an item's neighbour set changes, told by a digest of the set: the same set in any
/// order has the same digest, a set with one member swapped has another.
@Suite struct NeighbourDigestTests {
    @Test func theDigestFollowsTheMembershipNotTheOrder() {
        var random = SeededRandom(seed: 3)
        for _ in 0..<200 {
            let ids = Set((0..<(1 + random.below(50))).map { _ in "i\(random.below(5_000))" })
            let neighbours = ids.map { RelatedItem(itemId: $0, similarity: Double(random.below(100))) }
            let digest = ItemTask.digest(neighbours)
            #expect(ItemTask.digest(neighbours.reversed()) == digest)
            #expect(ItemTask.digest(neighbours.sorted { $0.similarity < $1.similarity }) == digest)
            var swapped = neighbours
            swapped[random.below(swapped.count)] = RelatedItem(itemId: "new", similarity: 1)
            #expect(ItemTask.digest(swapped) != digest)
            #expect(ItemTask.digest(Array(neighbours.dropLast())) != digest)
        }
    }
}
