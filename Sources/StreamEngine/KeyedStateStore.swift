/// Per-key state with two bounds: at most `maxKeys` keys (the least recently used is evicted first) and an event-time
/// TTL (a key untouched for `ttl` ms of event time is dropped). Both are needed: the key cap bounds memory on a burst of
/// new keys, the TTL frees keys of users who left even when the cap is never reached.
///
/// Recency order doubles as expiry order: keys are touched as their events arrive, so the least recently used key is
/// (up to the source's out-of-orderness) also the one with the oldest event time, and expiry only looks at the tail.
public struct KeyedStateStore<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public struct Bounds: Sendable, Equatable {
        public var maxKeys: Int
        /// Event-time milliseconds a key may stay untouched; nil keeps keys until the cap evicts them.
        public var ttl: Int64?

        public init(maxKeys: Int, ttl: Int64? = nil) {
            precondition(maxKeys > 0, "a state store needs room for at least one key")
            self.maxKeys = maxKeys
            self.ttl = ttl
        }
    }

    /// Why a key left the store, for the caller's metrics or tombstones.
    public enum Eviction: Sendable, Equatable { case capacity, expired }

    @usableFromInline struct Slot: Sendable {
        @usableFromInline var key: Key
        @usableFromInline var value: Value
        @usableFromInline var touchedAt: Int64
        /// Position in the recency order, saved in checkpoints so a restored store evicts in the same order.
        @usableFromInline var recency: UInt64
        @usableFromInline var newer: Int  // towards the head (most recent); -1 at the head
        @usableFromInline var older: Int  // towards the tail (least recent); -1 at the tail

        @inlinable init(key: Key, value: Value, touchedAt: Int64, recency: UInt64, newer: Int, older: Int) {
            self.key = key
            self.value = value
            self.touchedAt = touchedAt
            self.recency = recency
            self.newer = newer
            self.older = older
        }
    }

    public let bounds: Bounds
    // Bound: at most bounds.maxKeys entries in `index`; `slots` never grows past bounds.maxKeys (freed slots reused).
    @usableFromInline var index: [Key: Int] = [:]
    @usableFromInline var slots: [Slot] = []
    @usableFromInline var freeSlots: [Int] = []
    @usableFromInline var head = -1
    @usableFromInline var tail = -1
    @usableFromInline var evictions = 0
    /// Keys dropped to stay within `maxKeys`.
    @inlinable public var evictedForCapacity: Int { evictions }
    @usableFromInline var expirations = 0
    /// Keys dropped by the TTL.
    @inlinable public var expired: Int { expirations }

    @usableFromInline var clock: UInt64 = 0
    /// Whether keys changed since the last `takeChanges()` are remembered (for a changelog).
    @usableFromInline var tracksChanges = false
    // Bound: keys touched since the last checkpoint — at most the keys of one checkpoint interval.
    @usableFromInline var changed: Set<Key> = []

    @inlinable public init(bounds: Bounds) {
        self.bounds = bounds
    }

    /// A key with its value and bookkeeping, as a checkpoint stores it; `value` is nil for a key that left.
    public struct StoredEntry: Sendable {
        public var key: Key
        public var value: Value?
        public var touchedAt: Int64
        public var recency: UInt64

        public init(key: Key, value: Value?, touchedAt: Int64, recency: UInt64) {
            self.key = key
            self.value = value
            self.touchedAt = touchedAt
            self.recency = recency
        }
    }

    /// Starts remembering which keys change, for `takeChanges()`.
    public mutating func trackChanges() { tracksChanges = true }

    @inlinable mutating func noteChange(_ key: Key) {
        if tracksChanges { changed.insert(key) }
    }

    /// Every key changed, added or removed since the last call, with its current value (nil if it left).
    public mutating func takeChanges() -> [StoredEntry] {
        defer { changed.removeAll(keepingCapacity: true) }
        return changed.map { key in
            guard let position = index[key] else { return StoredEntry(key: key, value: nil, touchedAt: 0, recency: 0) }
            let slot = slots[position]
            return StoredEntry(key: key, value: slot.value, touchedAt: slot.touchedAt, recency: slot.recency)
        }
    }

    /// Every key, for a snapshot.
    public var storedEntries: [StoredEntry] {
        index.values.map {
            StoredEntry(
                key: slots[$0].key, value: slots[$0].value, touchedAt: slots[$0].touchedAt, recency: slots[$0].recency)
        }
    }

    /// Refills an empty store from a checkpoint, in the saved recency order, so it evicts and expires exactly as the
    /// store that wrote the checkpoint would have. Entries beyond the bound (a smaller bound than before) are
    /// dropped from the least recent end.
    public mutating func restore(_ entries: [StoredEntry]) {
        precondition(index.isEmpty, "restore fills an empty store")
        for entry in entries.sorted(by: { $0.recency < $1.recency }).suffix(bounds.maxKeys) {
            guard let value = entry.value else { continue }
            insertAtHead(
                Slot(
                    key: entry.key, value: value, touchedAt: entry.touchedAt, recency: entry.recency, newer: -1,
                    older: -1))
            clock = max(clock, entry.recency)
        }
    }

    @inlinable public var count: Int { index.count }
    @inlinable public var isEmpty: Bool { index.isEmpty }

    /// Reads a value without changing its recency.
    @inlinable public func peek(_ key: Key) -> Value? {
        index[key].map { slots[$0].value }
    }

    /// `body` on the key's value in place, without touching its recency; nil when absent. Cheaper than `peek` for a
    /// part of a large value: nothing is copied out but what `body` returns.
    @inlinable public func peek<R>(_ key: Key, _ body: (borrowing Value) -> R) -> R? {
        guard let position = index[key] else { return nil }
        return body(slots[position].value)
    }

    /// Creates the key with `initial()` if absent, applies `update`, and marks the key used at `eventTime`.
    /// Returns the key evicted to make room, if one was.
    @discardableResult
    @inlinable public mutating func update<R>(
        _ key: Key, at eventTime: Int64, default initial: () -> Value, _ update: (inout Value) -> R
    ) -> (result: R, evicted: (key: Key, value: Value)?) {
        if let position = index[key] {
            let result = update(&slots[position].value)
            slots[position].touchedAt = max(slots[position].touchedAt, eventTime)
            clock += 1
            slots[position].recency = clock
            moveToHead(position)
            noteChange(key)
            return (result, nil)
        }
        var evicted: (key: Key, value: Value)?
        if index.count >= bounds.maxKeys, let victim = removeTail() {
            evictions += 1
            evicted = victim
            noteChange(victim.key)
        }
        var value = initial()
        let result = update(&value)
        clock += 1
        insertAtHead(Slot(key: key, value: value, touchedAt: eventTime, recency: clock, newer: -1, older: -1))
        noteChange(key)
        return (result, evicted)
    }

    /// Changes an existing value in place without making it more recent (timers and housekeeping use this).
    @discardableResult
    @inlinable public mutating func modify<R>(_ key: Key, _ body: (inout Value) -> R) -> R? {
        guard let position = index[key] else { return nil }
        noteChange(key)
        return body(&slots[position].value)
    }

    @discardableResult
    @inlinable public mutating func remove(_ key: Key) -> Value? {
        guard let position = index[key] else { return nil }
        unlink(position)
        noteChange(key)
        return release(position).value
    }

    /// Drops every key not touched since `watermark - ttl` and returns them (oldest first).
    @inlinable public mutating func expire(watermark: Int64) -> [(key: Key, value: Value)] {
        // Before the first watermark (Int64.min) nothing can be older than the TTL.
        guard let ttl = bounds.ttl, case (let cutoff, false) = watermark.subtractingReportingOverflow(ttl) else {
            return []
        }
        var dropped: [(key: Key, value: Value)] = []
        while tail >= 0, slots[tail].touchedAt < cutoff, let victim = removeTail() {
            noteChange(victim.key)
            dropped.append(victim)
        }
        expirations += dropped.count
        return dropped
    }

    /// All entries, most recently used first.
    @inlinable public var entries: [(key: Key, value: Value)] {
        var result: [(key: Key, value: Value)] = []
        result.reserveCapacity(count)
        var position = head
        while position >= 0 {
            result.append((slots[position].key, slots[position].value))
            position = slots[position].older
        }
        return result
    }

    @inlinable mutating func insertAtHead(_ slot: Slot) {
        let position: Int
        if let reused = freeSlots.popLast() {
            position = reused
            slots[position] = slot
        } else {
            position = slots.count
            slots.append(slot)
        }
        index[slot.key] = position
        linkAtHead(position)
    }

    @inlinable mutating func linkAtHead(_ position: Int) {
        slots[position].newer = -1
        slots[position].older = head
        if head >= 0 { slots[head].newer = position }
        head = position
        if tail < 0 { tail = position }
    }

    @inlinable mutating func unlink(_ position: Int) {
        let newer = slots[position].newer
        let older = slots[position].older
        if newer >= 0 { slots[newer].older = older } else { head = older }
        if older >= 0 { slots[older].newer = newer } else { tail = newer }
    }

    @inlinable mutating func moveToHead(_ position: Int) {
        guard head != position else { return }
        unlink(position)
        linkAtHead(position)
    }

    @inlinable mutating func removeTail() -> (key: Key, value: Value)? {
        guard tail >= 0 else { return nil }
        let position = tail
        unlink(position)
        return release(position)
    }

    @inlinable mutating func release(_ position: Int) -> (key: Key, value: Value) {
        let slot = slots[position]
        index[slot.key] = nil
        freeSlots.append(position)
        return (slot.key, slot.value)
    }
}
