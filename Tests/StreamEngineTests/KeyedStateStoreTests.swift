import StreamEngine
import Testing

@Suite struct KeyedStateStoreTests {
    @Test func theKeyCapEvictsTheLeastRecentlyUsedKey() {
        var store = KeyedStateStore<String, Int>(bounds: .init(maxKeys: 3))
        for (time, key) in ["a", "b", "c"].enumerated() {
            store.update(key, at: Int64(time), default: { 0 }) { $0 += 1 }
        }
        store.update("a", at: 10, default: { 0 }) { $0 += 1 }  // a is now the most recent; b the least
        let outcome = store.update("d", at: 11, default: { 0 }) { $0 += 1 }
        #expect(outcome.evicted?.key == "b")
        #expect(store.count == 3)
        #expect(store.peek("b") == nil)
        #expect(store.peek("a") == 2)
        #expect(store.evictedForCapacity == 1)
        #expect(store.entries.map(\.key) == ["d", "a", "c"])
    }

    @Test func keysUntouchedForTheTTLExpireAtTheWatermark() {
        var store = KeyedStateStore<String, Int>(bounds: .init(maxKeys: 100, ttl: 1_000))
        store.update("old", at: 0, default: { 0 }) { $0 += 1 }
        store.update("fresh", at: 900, default: { 0 }) { $0 += 1 }
        #expect(store.expire(watermark: 999).isEmpty)
        #expect(store.expire(watermark: .min).isEmpty)
        let dropped = store.expire(watermark: 1_500)
        #expect(dropped.map(\.key) == ["old"])
        #expect(store.peek("fresh") == 1)
        #expect(store.expired == 1)
    }

    @Test func aMillionDistinctKeysStayWithinTheCap() {
        var store = KeyedStateStore<Int, [Int]>(bounds: .init(maxKeys: 1_000))
        for key in 0..<1_000_000 { store.update(key, at: Int64(key), default: { [] }) { $0.append(key) } }
        #expect(store.count == 1_000)
        #expect(store.evictedForCapacity == 999_000)
        #expect(store.peek(999_999) == [999_999])
        #expect(store.peek(0) == nil)
    }

    @Test func removedSlotsAreReused() {
        var store = KeyedStateStore<Int, Int>(bounds: .init(maxKeys: 2))
        store.update(1, at: 0, default: { 1 }) { _ in }
        #expect(store.remove(1) == 1)
        #expect(store.remove(1) == nil)
        store.update(2, at: 1, default: { 2 }) { _ in }
        store.update(3, at: 2, default: { 3 }) { _ in }
        #expect(store.entries.map(\.key) == [3, 2])
        #expect(store.evictedForCapacity == 0)
    }
}

@Suite struct EventTimeTests {
    @Test func theWatermarkTrailsTheLargestEventTimeByTheAllowedDisorder() {
        var watermark = BoundedOutOfOrdernessWatermark(maxOutOfOrderness: 5_000)
        #expect(watermark.watermark == .min)
        watermark.observe(eventTime: 100_000)
        watermark.observe(eventTime: 90_000)  // late but within bounds: the watermark does not go back
        #expect(watermark.watermark == 95_000)
    }

    @Test func tumblingWindowsAlignToTheEpoch() {
        let windows = TumblingWindows(size: 300_000)
        #expect(windows.start(of: 299_999) == 0)
        #expect(windows.start(of: 300_000) == 300_000)
        #expect(windows.end(of: 1) == 300_000)
        #expect(windows.start(of: -1) == -300_000)
    }

    @Test func timersFireOnlyWindowsThatTheWatermarkPassedInOrder() {
        var timers = WindowTimers<String>()
        timers.register("b", windowEnd: 600)
        timers.register("a", windowEnd: 300)
        timers.register("c", windowEnd: 300)
        timers.register("z", windowEnd: 900)
        timers.cancel("z", windowEnd: 900)
        #expect(timers.popDue(watermark: 299).isEmpty)
        let due = timers.popDue(watermark: 600)
        #expect(due.map(\.key) == ["a", "c", "b"])
        #expect(due.map(\.windowEnd) == [300, 300, 600])
        #expect(timers.popDue(watermark: 10_000).isEmpty)
    }
}
