/// Each stored item's category, creator and popularity, found by the hash of its id that the table computed once
/// (`RelatedItem.hash`, `Ranked.hash`). A feed reads the attributes of each of its ~100 shortlisted candidates; through
/// the table's String-keyed store that was a hash of the id, a dictionary probe and a read of the item's whole
/// 150-byte row, each a cache miss into the 50 000-item table — a tenth of a replay late in the stream. Here it is
/// one probe of a small array of positions and one read of a 56-byte entry.
///
/// The entries are found through a `PositionIndex` (open addressing by the stored hash). Bound: as many entries as
/// the table stores items (`ItemPopularity` adds and removes them with its rows).
struct ItemAttributeIndex: Sendable {
    struct Entry: Sendable {
        var itemId: String
        var hash: Int
        var categoryId: String?
        var creatorId: String?
        /// The row's score, recent score and its time: a partner's popularity in a neighbour refresh.
        var score: Double
        var recentScore: Double
        var updatedAt: Int64
        /// `categoryId` and `creatorId` hashed for the ranking features; `set` makes them when they change.
        var featureHashes = ItemFeatureHashes(categoryId: nil, creatorId: nil)
    }

    private var entries: [Entry] = []
    private var index = PositionIndex(capacity: 0)

    var count: Int { entries.count }

    /// The item's attributes, nil if it is not stored. Read in place, as `popularity`: copying the whole entry out
    /// retained and released its three strings per shortlisted candidate.
    func attributes(of itemId: String, hash: Int) -> (
        categoryId: String?, creatorId: String?, featureHashes: ItemFeatureHashes
    )? {
        guard let slot = slot(of: itemId, hash: hash) else { return nil }
        let position = index[slot]
        return (entries[position].categoryId, entries[position].creatorId, entries[position].featureHashes)
    }

    /// Sets every candidate's category, creator and feature hashes (nil for an item not stored), in two passes: all
    /// the entries found first, then their attributes copied. Copying retains the attribute strings, and a retain is
    /// an atomic instruction the processor does not run ahead of, so one pass waited out each candidate's two cache
    /// misses (its slot, its entry) in turn; the lookups alone overlap.
    func fillAttributes(of candidates: inout [Candidate]) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: candidates.count) { positions in
            for candidate in candidates.indices {
                let found = slot(of: candidates[candidate].itemId, hash: candidates[candidate].hash)
                positions[candidate] = found.map { index[$0] } ?? -1
            }
            for candidate in candidates.indices {
                let position = positions[candidate]
                guard position >= 0 else {
                    (candidates[candidate].categoryId, candidates[candidate].creatorId) = (nil, nil)
                    candidates[candidate].featureHashes = nil
                    continue
                }
                candidates[candidate].categoryId = entries[position].categoryId
                candidates[candidate].creatorId = entries[position].creatorId
                candidates[candidate].featureHashes = entries[position].featureHashes
            }
        }
    }

    /// The item's score, recent score and their time, nil if it is not stored.
    func popularity(of itemId: String, hash: Int) -> (score: Double, recentScore: Double, updatedAt: Int64)? {
        guard let slot = slot(of: itemId, hash: hash) else { return nil }
        let position = index[slot]
        return (entries[position].score, entries[position].recentScore, entries[position].updatedAt)
    }

    /// Stores an item's entry (added, or changed in place), its feature hashes made again only when its category or
    /// creator changed: a row is applied per event or so, and its attributes rarely change.
    mutating func set(_ entry: Entry) {
        var entry = entry
        let found = slot(of: entry.itemId, hash: entry.hash)
        if let stored = found.map({ index[$0] }), entries[stored].categoryId == entry.categoryId,
            entries[stored].creatorId == entry.creatorId
        {
            entry.featureHashes = entries[stored].featureHashes
        } else {
            entry.featureHashes = ItemFeatureHashes(categoryId: entry.categoryId, creatorId: entry.creatorId)
        }
        if let found {
            entries[index[found]] = entry
            return
        }
        if !index.fits(entries.count + 1) { index.grow(count: entries.count) { entries[$0].hash } }
        entries.append(entry)
        index.insert(position: entries.count - 1, hash: entry.hash)
    }

    /// Forgets the item (its row left the table).
    mutating func remove(_ itemId: String, hash: Int) {
        guard let hole = slot(of: itemId, hash: hash) else { return }
        let position = index[hole]
        // The last entry moves into the freed position; its slot is pointed there.
        let last = entries.count - 1
        if position != last, let lastSlot = slot(of: entries[last].itemId, hash: entries[last].hash) {
            index.point(lastSlot, to: position)
            entries.swapAt(position, last)
        }
        entries.removeLast()
        index.remove(slot: hole) { entries[$0].hash }
    }

    private func slot(of itemId: String, hash: Int) -> Int? {
        index.slot(hash: hash) { entries[$0].hash == hash && entries[$0].itemId == itemId }
    }
}
