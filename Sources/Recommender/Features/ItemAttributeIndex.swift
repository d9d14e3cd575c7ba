/// Each stored item's category and creator, found by the hash of its id that the table computed once
/// (`RelatedItem.hash`, `Ranked.hash`). A feed reads the attributes of each of its ~100 shortlisted candidates; through
/// the table's String-keyed store that was a hash of the id, a dictionary probe and a read of the item's whole
/// 150-byte row, each a cache miss into the 50 000-item table — a tenth of a replay late in the stream. Here it is
/// one probe of a small array of positions and one read of a 56-byte entry.
///
/// Open addressing with linear probing, at most half full; removal shifts the following entries back, so there are
/// no tombstones. Bound: as many entries as the table stores items (`ItemPopularity` adds and removes them with its
/// rows).
struct ItemAttributeIndex: Sendable {
    struct Entry: Sendable {
        var itemId: String
        var hash: Int
        var categoryId: String?
        var creatorId: String?
    }

    private var entries: [Entry] = []
    /// Position + 1 of the entry in each slot; 0 for an empty slot.
    private var slots = [Int32](repeating: 0, count: 16)
    private var mask = 15

    var count: Int { entries.count }

    /// The item's attributes, nil if it is not stored.
    func attributes(of itemId: String, hash: Int) -> (categoryId: String?, creatorId: String?)? {
        guard let slot = slot(of: itemId, hash: hash) else { return nil }
        let entry = entries[Int(slots[slot]) - 1]
        return (entry.categoryId, entry.creatorId)
    }

    /// Stores the item's attributes (added, or changed in place).
    mutating func set(_ itemId: String, hash: Int, categoryId: String?, creatorId: String?) {
        if let slot = slot(of: itemId, hash: hash) {
            let position = Int(slots[slot]) - 1
            entries[position].categoryId = categoryId
            entries[position].creatorId = creatorId
            return
        }
        if 2 * (entries.count + 1) > slots.count { resize(to: 2 * slots.count) }
        entries.append(Entry(itemId: itemId, hash: hash, categoryId: categoryId, creatorId: creatorId))
        insert(position: entries.count - 1, hash: hash)
    }

    /// Forgets the item (its row left the table).
    mutating func remove(_ itemId: String, hash: Int) {
        guard var hole = slot(of: itemId, hash: hash) else { return }
        let position = Int(slots[hole]) - 1
        // The last entry moves into the freed position; its slot is pointed there.
        let last = entries.count - 1
        if position != last, let lastSlot = slot(of: entries[last].itemId, hash: entries[last].hash) {
            slots[lastSlot] = Int32(position + 1)
            entries.swapAt(position, last)
        }
        entries.removeLast()
        // Backward-shift deletion: every entry after the hole that probing could not find past an empty slot moves
        // into it.
        slots[hole] = 0
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = entries[Int(slots[next]) - 1].hash & mask
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

    private func slot(of itemId: String, hash: Int) -> Int? {
        var slot = hash & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return nil }
            if entries[stored - 1].hash == hash, entries[stored - 1].itemId == itemId { return slot }
            slot = (slot + 1) & mask
        }
    }

    private mutating func insert(position: Int, hash: Int) {
        var slot = hash & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position + 1)
    }

    private mutating func resize(to size: Int) {
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for position in entries.indices { insert(position: position, hash: entries[position].hash) }
    }
}
