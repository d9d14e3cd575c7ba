/// The items a user's feed must not show — the trigger, the cart, what the user has seen (`filterSeen`) and bought
/// (`filterPurchased`) — as one open-addressing set keyed by the hashes item ids carry (`Interaction.itemHash`,
/// `RelatedItem.hash`). Checking a candidate was two String hashes (the history's and the purchases' dictionaries)
/// for each of the ~150 candidates of a feed and each chart entry walked; now it is one probe.
struct ItemExclusions {
    private var slots: [(hash: Int, id: String?)]
    private var mask: Int

    init(for user: UserState, trigger: String?, seen: Bool, purchased: Bool) {
        let count = 1 + user.cart.count + (seen ? user.history.count : 0) + (purchased ? user.purchased.count : 0)
        var size = 16
        while size < 2 * count { size *= 2 }
        slots = Array(repeating: (0, nil), count: size)
        mask = size - 1
        if let trigger { insert(trigger, hash: trigger.hashValue) }
        for item in user.cart { insert(item, hash: item.hashValue) }
        if seen { user.history.forEachItem { insert($0, hash: $1) } }
        if purchased { for item in user.purchased { insert(item, hash: item.hashValue) } }
    }

    func contains(_ itemId: String, hash: Int) -> Bool {
        var slot = hash & mask
        while let id = slots[slot].id {
            if slots[slot].hash == hash, id == itemId { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    private mutating func insert(_ itemId: String, hash: Int) {
        var slot = hash & mask
        while let id = slots[slot].id {
            if slots[slot].hash == hash, id == itemId { return }
            slot = (slot + 1) & mask
        }
        slots[slot] = (hash, itemId)
    }
}
