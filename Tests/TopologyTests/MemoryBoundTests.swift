import Recommender
import StreamEngine
import Testing
import Topology

/// Every per-key state is bounded: many distinct keys evict (and count it), one hot key does not grow.
@Suite struct MemoryBoundTests {
    static let partitions: Int32 = 4

    /// Bytes of each key's state in a checkpoint (the changelog records of a full snapshot).
    static func stateBytes(_ runner: inout LocalRunner) -> [String: Int] {
        var sizes: [String: Int] = [:]
        for record in runner.checkpoint() {
            guard let key = record.key, let value = record.value else { continue }
            sizes[String(decoding: key, as: UTF8.self)] = value.count
        }
        return sizes
    }

    @Test func distinctUsersAndItemsBeyondTheBoundsAreEvictedAndCounted() {
        var settings = PipelineSettings()
        settings.shufflePartitions = Self.partitions
        settings.maxUsersPerPartition = 500
        settings.maxItemsPerPartition = 300
        settings.maxItems = 1_000
        settings.userCache = CacheBounds(maxEntries: 200, expireAfterWrite: settings.userCache.expireAfterWrite)
        var runner = LocalRunner(settings: settings)
        var sequencer = InputSequencer(partitions: Self.partitions)
        let users = 20_000
        for index in 0..<users {
            let event = BehaviorEvent(
                userId: "user-\(index)", itemId: "item-\(index % 5_000)", behavior: .view,
                timestamp: 1_700_000_000_000 + Int64(index) * 10, categoryId: "c\(index % 20)")
            runner.process(sequencer.record(for: event)) { _ in }
        }
        let counters = runner.pipeline.counters
        #expect(runner.pipeline.userCount <= Int(Self.partitions) * settings.maxUsersPerPartition)
        #expect(counters.usersEvicted >= users - Int(Self.partitions) * settings.maxUsersPerPartition)
        #expect(runner.pipeline.itemCount <= Int(Self.partitions) * settings.maxItemsPerPartition)
        #expect(counters.itemsEvicted >= 5_000 - Int(Self.partitions) * settings.maxItemsPerPartition)
        #expect(runner.table.itemCount <= settings.maxItems)
        #expect(counters.userCache.evictions > 0)
    }

    @Test func oneHotUserDoesNotGrowItsState() {
        var settings = PipelineSettings()
        settings.shufflePartitions = Self.partitions
        var runner = LocalRunner(settings: settings)
        var sequencer = InputSequencer(partitions: Self.partitions)
        let behaviors: [Behavior] = [.view, .click, .view, .favorite, .cart, .view, .purchase]
        var sizes: [Int] = []
        for index in 0..<30_000 {
            // One user, ever new items and categories, 100 ms apart: windows open and close all the time.
            let event = BehaviorEvent(
                userId: "hot", itemId: "i\(index)", behavior: behaviors[index % behaviors.count],
                timestamp: 1_700_000_000_000 + Int64(index) * 100, categoryId: "c\(index % 500)")
            runner.process(sequencer.record(for: event)) { _ in }
            if index == 2_999 || index == 29_999 { sizes.append(Self.stateBytes(&runner)["s:hot"] ?? 0) }
        }
        #expect(sizes[0] > 0)
        // Ten times the events, and the same bound: history ring, category profile and open windows are capped.
        #expect(sizes[1] <= sizes[0] + sizes[0] / 10, "state bytes after 3 000 and 30 000 events: \(sizes)")
    }
}
