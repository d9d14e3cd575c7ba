import StreamEngine
import Testing

@Suite struct BoundedCacheTests {
    @Test func theSizeBoundEvictsTheOldestWrite() {
        var cache = BoundedCache<String, Int>(bounds: .init(maxEntries: 3, expireAfterWrite: 1_000))
        for index in 0..<10 { cache.set(index, for: "k\(index)", now: Int64(index)) }
        #expect(cache.count == 3)
        #expect(cache.counters.evictions == 7)
        #expect(cache.value(for: "k0", now: 10) == nil)
        #expect(cache.value(for: "k9", now: 10) == 9)
        #expect(cache.counters.hits == 1)
        #expect(cache.counters.misses == 1)
    }

    @Test func entriesExpireAfterWriteNotAfterRead() {
        var cache = BoundedCache<String, Int>(bounds: .init(maxEntries: 10, expireAfterWrite: 100))
        cache.set(1, for: "a", now: 0)
        #expect(cache.value(for: "a", now: 99) == 1)  // a read does not extend it
        #expect(cache.value(for: "a", now: 100) == nil)
        #expect(cache.counters.expirations == 1)
        cache.set(2, for: "a", now: 100)  // a write does
        #expect(cache.value(for: "a", now: 150) == 2)
    }

    @Test func expiredEntriesMakeRoomBeforeLiveOnesAreEvicted() {
        var cache = BoundedCache<String, Int>(bounds: .init(maxEntries: 2, expireAfterWrite: 100))
        cache.set(1, for: "old", now: 0)
        cache.set(2, for: "live", now: 90)
        cache.set(3, for: "new", now: 150)
        #expect(cache.counters.expirations == 1)
        #expect(cache.counters.evictions == 0)
        #expect(cache.peek("live") == 2)
    }

    @Test func rewritingOneKeyForeverKeepsTheQueueBounded() {
        var cache = BoundedCache<String, Int>(bounds: .init(maxEntries: 4, expireAfterWrite: 1_000_000))
        for index in 0..<100_000 { cache.set(index, for: "hot", now: Int64(index)) }
        #expect(cache.count == 1)
        #expect(cache.queuedWrites <= 9)
        #expect(cache.value(for: "hot", now: 100_000) == 99_999)
        // A rewritten key is the newest write: the next three keys fit without evicting it.
        for index in 0..<3 { cache.set(index, for: "other\(index)", now: 100_000) }
        #expect(cache.peek("hot") == 99_999)
        #expect(cache.counters.evictions == 0)
    }

    @Test func boundsAreValidated() {
        #expect(throws: BoundsError.self) { try CacheBounds(maxEntries: 0, expireAfterWrite: 1).validate("item-cache") }
        #expect(throws: BoundsError.self) { try CacheBounds(maxEntries: 1, expireAfterWrite: 0).validate("item-cache") }
    }
}
