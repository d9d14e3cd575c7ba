/// The candidates of one feed while the sources propose them: an array (candidates are large; a dictionary of them
/// would copy one per update) with an open-addressing index by item id. The index is keyed by the hash the item table
/// computed once per id (`RelatedItem.hash`, `Ranked.hash`): a pool lookup per stored neighbour of every seed —
/// about a thousand per feed at 20 seeds × 50 neighbours — hashed a String each through a `[String: Int]` before,
/// the largest single cost of candidate generation in a profile of the 50 000-item workload.
struct CandidatePool {
    var candidates: [Candidate] = []
    private var index: PositionIndex

    init(capacity: Int) {
        candidates.reserveCapacity(capacity)
        index = PositionIndex(capacity: capacity)
    }

    /// The candidates, moved out (the pool is empty after).
    mutating func takeCandidates() -> [Candidate] {
        defer { candidates = [] }
        return candidates
    }

    /// The position of the item's candidate, if it was proposed.
    func position(of itemId: String, hash: Int) -> Int? {
        index.slot(hash: hash) { candidates[$0].hash == hash && candidates[$0].itemId == itemId }.map { index[$0] }
    }

    /// `body` on the item's candidate, added (with nothing proposed yet) if it was not.
    mutating func update(_ itemId: String, hash: Int, _ body: (inout Candidate) -> Void) {
        if let position = position(of: itemId, hash: hash) { return body(&candidates[position]) }
        if !index.fits(candidates.count + 1) {
            index.grow(count: candidates.count) { candidates[$0].hash }
        }
        candidates.append(Candidate(itemId: itemId, hash: hash))
        index.insert(position: candidates.count - 1, hash: hash)
        body(&candidates[candidates.count - 1])
    }
}
