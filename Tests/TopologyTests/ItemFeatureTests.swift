import Evaluation
import Foundation
import Recommender
import StreamEngine
import Testing
import Topology

extension PipelineHarness {
    /// Moves event time of every input partition to `seconds`: item tasks follow the slowest user partition, and a
    /// partition announces its progress on the next record it re-keys.
    mutating func advanceAllPartitions(to seconds: Int64) {
        for round in 0..<2 {
            for partition in Int32(0)..<4 {
                feed(event("clock-\(partition)", "clock", .view, at: seconds + Int64(round)), partition: partition)
            }
        }
    }
}

@Suite struct ItemFeatureTests {
    /// Ten minutes apart windows for one item whose events come from users on four different input partitions.
    @Test func itemWindowsGatherEventsFromEveryUserPartition() throws {
        var harness = PipelineHarness()
        let events = [
            event("a", "hot", .view, at: 10), event("b", "hot", .click, at: 20), event("c", "hot", .purchase, at: 30),
            event("d", "hot", .cart, at: 40), event("a", "hot", .view, at: 50),
        ]
        for (index, event) in events.enumerated() { harness.feed(event, partition: Int32(index % 4)) }
        harness.advanceAllPartitions(to: 1_000)
        let shuffled = harness.on("streamrec-item-shuffle").filter { $0.key == Array("hot".utf8) }
        #expect(Set(shuffled.map(\.partition)).count == 1)
        #expect(shuffled.first?.partition == KeyPartitioner.partition(for: Array("hot".utf8), partitionCount: 4))
        let features = harness.on("item-features").map(harness.json)
        let hot = try #require(features.first { $0["itemId"] as? String == "hot" })
        #expect(hot["windowStart"] as? Int == 0)
        #expect(hot["windowEnd"] as? Int == 600_000)
        #expect((hot["score"] as? NSNumber)?.doubleValue == 13)
        #expect(hot["uniqueUsers"] as? Int == 4)
        #expect((hot["counts"] as? [String: Int])?["view"] == 2)
        // Against an empty previous window: (13 - 0) / max(0, 1).
        #expect((hot["trend"] as? NSNumber)?.doubleValue == 13)
    }

    @Test func trendComparesWithTheImmediatelyPreviousWindow() throws {
        var harness = PipelineHarness()
        // 4 events in the first window, 8 in the second.
        for second in stride(from: 1, to: 200, by: 50) { harness.feed(event("u", "i", .view, at: Int64(second))) }
        for second in stride(from: 601, to: 1_000, by: 50) { harness.feed(event("u", "i", .view, at: Int64(second))) }
        harness.advanceAllPartitions(to: 1_600)
        let windows = harness.on("item-features").map(harness.json).filter { $0["itemId"] as? String == "i" }
        #expect(windows.map { $0["score"] as? Double } == [4, 8])
        #expect(windows.last?["trend"] as? Double == 1)  // (8 - 4) / 4
    }

    /// The engine's item and user windows against a naive fold over the same events, shuffled within the allowed
    /// out-of-orderness.
    @Test func windowsMatchANaiveReferenceOnDisorderedInput() throws {
        var generator = SyntheticEventGenerator(seed: 21, users: 60, items: 400, categories: 6, eventsPerSecond: 5)
        let events = (0..<6_000).map { _ in generator.next() }
        var harness = PipelineHarness { $0.maxOutOfOrderness = 5_000 }
        for event in events { harness.feed(event, partition: Int32(abs(event.userId.hashValue) % 4)) }
        harness.advanceAllPartitions(to: events.map(\.timestamp).max()! / 1_000 + 1_000)

        var itemScores: [String: Double] = [:]  // "item@start"
        var userCounts: [String: Int] = [:]  // "user@start"
        let weights = BehaviorWeights()
        for event in events {
            itemScores["\(event.itemId)@\(event.timestamp - event.timestamp % 600_000)", default: 0] +=
                weights[event.behavior]
            userCounts["\(event.userId)@\(event.timestamp - event.timestamp % 300_000)", default: 0] += 1
        }
        let items = harness.on("item-features").map(harness.json)
        #expect(!items.isEmpty)
        for item in items where item["itemId"] as? String != "clock" {
            let key = "\(item["itemId"] as! String)@\(item["windowStart"] as! Int)"
            #expect(item["score"] as? Double == itemScores[key], "\(key)")
        }
        // Every window of the input closed once all partitions moved on, and each was emitted once.
        let emitted = items.map { "\($0["itemId"] as! String)@\($0["windowStart"] as! Int)" }
        #expect(Set(emitted) == Set(itemScores.keys).union(emitted.filter { $0.hasPrefix("clock@") }))
        #expect(Set(emitted).count == emitted.count)
        let users = harness.on("user-features").map(harness.json)
        for user in users where !(user["userId"] as! String).hasPrefix("clock") {
            let key = "\(user["userId"] as! String)@\(user["windowStart"] as! Int)"
            #expect(user["events"] as? Int == userCounts[key], "\(key)")
        }
        #expect(harness.pipeline.counters.late == 0)
    }

    @Test func anEventExactlyAtTheWindowEndBelongsToTheNextWindow() throws {
        var harness = PipelineHarness()
        harness.feed(
            BehaviorEvent(userId: "u", itemId: "i", behavior: .view, timestamp: 600_000 - 1))
        harness.feed(BehaviorEvent(userId: "u", itemId: "i", behavior: .view, timestamp: 600_000))
        harness.advanceAllPartitions(to: 2_000)
        let windows = harness.on("item-features").map(harness.json).filter { $0["itemId"] as? String == "i" }
        #expect(windows.map { $0["windowStart"] as? Int } == [0, 600_000])
        #expect(windows.map { $0["score"] as? Double } == [1, 1])
    }

    @Test func theItemTableFeedsRankingAcrossPartitions() {
        var harness = PipelineHarness { $0.tableUpdateInterval = 0 }
        for user in ["a", "b", "c"] {
            harness.feed(event(user, "star", .purchase, at: 1, category: "c1"), partition: 1)
        }
        harness.outputs.removeAll()
        harness.feed(event("newcomer", "other", .view, at: 2, category: "c1"), partition: 3)
        let list = harness.json(harness.on("recommendations")[0])
        let items = (list["items"] as? [[String: Any]])?.compactMap { $0["itemId"] as? String }
        #expect(items?.first == "star")
        #expect(harness.runner.table.itemCount == 2)
    }
}

@Suite struct CatalogEntryTests {
    @Test func catalogRecordsBecomeRowsWithACategoryAndNoPopularity() {
        let row = CatalogEntry.decode(Array(#"{"itemId":"i1","categoryId":7,"tags":["a"]}"#.utf8), key: nil)
        #expect(row == ItemTableRow(itemId: "i1", categoryId: "7", score: 0, updatedAt: 0))
        #expect(CatalogEntry.decode(Array(#"{"categoryId":"c"}"#.utf8), key: Array("k".utf8))?.itemId == "k")
        #expect(CatalogEntry.decode(Array("not json".utf8), key: Array("k".utf8)) == nil)
        let table = ItemTable(maxItems: 10)
        table.apply(row!)
        #expect(table.read { $0.category(of: "i1") } == "7")
        #expect(table.read { $0.top.isEmpty })  // no events, no place in the charts
    }
}

@Suite struct ParallelLocalRunnerTests {
    @Test func twoLanesComputeTheSameFeaturesAsOne() {
        var generator = SyntheticEventGenerator(seed: 8, users: 120, items: 300, categories: 6, eventsPerSecond: 4)
        var sequencer = InputSequencer(partitions: 4)
        let records = (0..<5_000).map { _ in sequencer.record(for: generator.next()) }
        var serial = LocalRunner(settings: PipelineSettings())
        var expected: [String] = []
        for record in records {
            serial.process(record) { output in
                if output.topic.hasSuffix("-features") {
                    expected.append(String(decoding: output.value!, as: UTF8.self))
                }
            }
        }
        let collected = Locked<[String]>([])
        let parallel = ParallelLocalRunner(settings: PipelineSettings(), lanes: 2) { output in
            if output.topic.hasSuffix("-features") {
                collected.withLock { $0.append(String(decoding: output.value!, as: UTF8.self)) }
            }
        }
        parallel.submit(records)
        parallel.waitUntilIdle()
        parallel.stop()
        #expect(!expected.isEmpty)
        #expect(collected.value.sorted() == expected.sorted())
        #expect(parallel.counters.eventsProcessed == 5_000)
    }
}
