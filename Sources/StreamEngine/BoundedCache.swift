import DequeModule

/// How big a cache may grow and how long an entry lives.
public struct CacheBounds: Sendable, Equatable {
    public var maxEntries: Int
    /// Expire-after-write, in the cache's clock (StreamRec uses event time, so a replay behaves like the live run).
    public var expireAfterWrite: Int64

    public init(maxEntries: Int, expireAfterWrite: Int64) {
        self.maxEntries = maxEntries
        self.expireAfterWrite = expireAfterWrite
    }

    public func validate(_ name: String) throws(BoundsError) {
        guard maxEntries > 0, expireAfterWrite > 0 else {
            throw BoundsError(
                "\(name): size and expire-after-write must be positive, got \(maxEntries)/\(expireAfterWrite)")
        }
    }
}

public struct BoundsError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What a cache did, for metrics.
public struct CacheCounters: Sendable, Equatable {
    public var hits = 0
    public var misses = 0
    /// Entries dropped to stay within `maxEntries`.
    public var evictions = 0
    /// Entries dropped because they were older than `expireAfterWrite` when read or when the cache made room.
    public var expirations = 0

    public init() {}

    public static func += (lhs: inout CacheCounters, rhs: CacheCounters) {
        lhs.hits += rhs.hits
        lhs.misses += rhs.misses
        lhs.evictions += rhs.evictions
        lhs.expirations += rhs.expirations
    }
}

/// A cache with a maximum size and expire-after-write, like the Caffeine caches a Flink job puts in front of its
/// feature lookups. Writes are queued in a `Deque` in write order, so the oldest write is always at the front: it is
/// both the next to expire and the one evicted when the cache is full (FIFO). A rewritten key leaves its earlier
/// queue entry behind as a stale marker, skipped when it reaches the front; the queue is compacted when stale
/// markers outnumber live entries, so it stays within twice the bound.
public struct BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    public let bounds: CacheBounds
    // Bound: `maxEntries` (see `makeRoom`).
    private var entries: [Key: (value: Value, writtenAt: Int64, generation: UInt64)] = [:]
    // Bound: at most 2 × `maxEntries` + 1 (compacted beyond that).
    private var writes: Deque<(key: Key, generation: UInt64)> = []
    private var nextGeneration: UInt64 = 0
    public private(set) var counters = CacheCounters()

    public init(bounds: CacheBounds) {
        self.bounds = bounds
    }

    public var count: Int { entries.count }
    /// Writes queued for expiry and eviction, stale markers included (at most 2 × `maxEntries` + 1).
    public var queuedWrites: Int { writes.count }

    /// The value written for `key` less than `expireAfterWrite` before `now`; counts a hit or a miss.
    public mutating func value(for key: Key, now: Int64) -> Value? {
        guard let entry = entries[key] else {
            counters.misses += 1
            return nil
        }
        guard now - entry.writtenAt < bounds.expireAfterWrite else {
            entries[key] = nil
            counters.expirations += 1
            counters.misses += 1
            return nil
        }
        counters.hits += 1
        return entry.value
    }

    /// The value without counting or expiring anything (for inspection, e.g. serving what is there).
    public func peek(_ key: Key) -> Value? { entries[key]?.value }

    public mutating func set(_ value: Value, for key: Key, now: Int64) {
        if entries[key] == nil { makeRoom(now: now) }
        nextGeneration &+= 1
        entries[key] = (value, now, nextGeneration)
        writes.append((key, nextGeneration))
        if writes.count > 2 * bounds.maxEntries + 1 { compact() }
    }

    public mutating func removeValue(for key: Key) -> Value? { entries.removeValue(forKey: key)?.value }

    /// Changes a present value in place; its write time (and so its expiry) stays.
    @discardableResult
    public mutating func modify<R>(_ key: Key, _ body: (inout Value) -> R) -> R? {
        guard var entry = entries[key] else { return nil }
        let result = body(&entry.value)
        entries[key] = entry
        return result
    }

    /// Returns the value for `key`, computing and storing it on a miss.
    public mutating func value(for key: Key, now: Int64, compute: () -> Value) -> Value {
        if let value = value(for: key, now: now) { return value }
        let value = compute()
        set(value, for: key, now: now)
        return value
    }

    /// Drops expired entries from the front, then the oldest write while the cache is full.
    private mutating func makeRoom(now: Int64) {
        while let oldest = writes.first {
            guard let entry = entries[oldest.key], entry.generation == oldest.generation else {
                writes.removeFirst()  // stale marker: the key was rewritten or removed
                continue
            }
            if now - entry.writtenAt >= bounds.expireAfterWrite {
                counters.expirations += 1
            } else if entries.count >= bounds.maxEntries {
                counters.evictions += 1
            } else {
                return
            }
            entries[oldest.key] = nil
            writes.removeFirst()
        }
    }

    private mutating func compact() {
        writes = Deque(writes.filter { entries[$0.key]?.generation == $0.generation })
    }
}
