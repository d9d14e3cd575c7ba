/// The candidates of one feed while the sources propose them: an array (candidates are large; a dictionary of them
/// would copy one per update) with an open-addressing index by item id. The index is keyed by the hash the item table
/// computed once per id (`RelatedItem.hash`, `Ranked.hash`): a pool lookup per stored neighbour of every seed —
/// about a thousand per feed at 20 seeds × 50 neighbours — hashed a String each through a `[String: Int]` before,
/// the largest single cost of candidate generation in a profile of the 50 000-item workload.
struct CandidatePool {
    var candidates: [Candidate] = []
    /// Position + 1 of the candidate in each slot; 0 for an empty slot. Linear probing; at most half full.
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int) {
        candidates.reserveCapacity(capacity)
        var size = 16
        while size < 2 * capacity { size *= 2 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// The candidates, moved out (the pool is empty after).
    mutating func takeCandidates() -> [Candidate] {
        defer { candidates = [] }
        return candidates
    }

    /// The position of the item's candidate, if it was proposed.
    func position(of itemId: String, hash: Int) -> Int? {
        var slot = hash & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return nil }
            let candidate = stored - 1
            if candidates[candidate].hash == hash, candidates[candidate].itemId == itemId { return candidate }
            slot = (slot + 1) & mask
        }
    }

    /// `body` on the item's candidate, added (with nothing proposed yet) if it was not.
    mutating func update(_ itemId: String, hash: Int, _ body: (inout Candidate) -> Void) {
        if let position = position(of: itemId, hash: hash) { return body(&candidates[position]) }
        if 2 * (candidates.count + 1) > slots.count { grow() }
        candidates.append(Candidate(itemId: itemId, hash: hash))
        insert(position: candidates.count - 1, hash: hash)
        body(&candidates[candidates.count - 1])
    }

    private mutating func insert(position: Int, hash: Int) {
        var slot = hash & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position + 1)
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: 2 * slots.count)
        mask = slots.count - 1
        for position in candidates.indices { insert(position: position, hash: candidates[position].hash) }
    }
}
