/// Positions into an array of entries that carry an item id and the hash the item table computed once for it
/// (`RelatedItem.hash`, `Ranked.hash`), found by that hash: open addressing with linear probing, at most half full,
/// removal by backward shift (no tombstones). The array is its owner's (`CandidatePool`'s candidates,
/// `ItemAttributeIndex`'s entries); the owner says which entry matches and what a position's hash is.
struct PositionIndex: Sendable {
    /// Position + 1 of an entry in each slot; 0 for an empty slot.
    private var slots: [Int32]
    private var mask: Int

    /// Room for `capacity` entries before the first `grow`.
    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size *= 2 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// Whether `count` entries fit (at most half the slots).
    func fits(_ count: Int) -> Bool { 2 * count <= slots.count }

    /// The slot of the entry with this hash that `matches` accepts (given its position), nil if there is none.
    @inline(__always)
    func slot(hash: Int, matches: (Int) -> Bool) -> Int? {
        var slot = hash & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return nil }
            if matches(stored - 1) { return slot }
            slot = (slot + 1) & mask
        }
    }

    /// The position a slot holds.
    subscript(slot: Int) -> Int { Int(slots[slot]) - 1 }

    /// Points a slot at another position (its entry moved in the owner's array).
    mutating func point(_ slot: Int, to position: Int) { slots[slot] = Int32(position + 1) }

    /// Adds a position under its entry's hash.
    mutating func insert(position: Int, hash: Int) {
        var slot = hash & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position + 1)
    }

    /// Twice the slots, every position inserted again (`hashOf` gives each one's hash).
    mutating func grow(count: Int, hashOf: (Int) -> Int) {
        slots = [Int32](repeating: 0, count: 2 * slots.count)
        mask = slots.count - 1
        for position in 0..<count { insert(position: position, hash: hashOf(position)) }
    }

    /// Empties `hole` and shifts back every later slot that probing could not find past an empty one.
    mutating func remove(slot hole: Int, hashOf: (Int) -> Int) {
        var hole = hole
        slots[hole] = 0
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = hashOf(Int(slots[next]) - 1) & mask
            // Moves unless its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !stays {
                slots[hole] = slots[next]
                slots[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }
}
