import Recommender
import Testing
import Topology

/// How long an item task keeps an idle item, and with it the item's CF counts.
@Suite struct ItemTTLTests {
    /// An item idle for ten days keeps its pairs (the default item TTL is the counts' 30-day half-life): with the
    /// former 7 days its item task dropped it, and it came back with no partner but the newest.
    @Test func anItemIdleForTenDaysKeepsItsPartners() {
        // One user task: its watermark is the item task's (with four, idle ones hold it back).
        var harness = ItemCFTests.harness { $0.shufflePartitions = 1 }
        let day: Int64 = 24 * 3_600  // `event` takes seconds
        for user in 0..<5 {
            harness.feed(event("old\(user)", "A", .view, at: Int64(user), category: "c1"))
            harness.feed(event("old\(user)", "B", .view, at: Int64(user) + 1, category: "c1"))
        }
        // Event time moves on without A or B (their item tasks' watermark with it).
        for offset in 1...9 {
            harness.feed(event("other", "Z\(offset)", .view, at: Int64(offset) * day, category: "c2"))
        }
        harness.feed(event("new", "A", .view, at: 10 * day, category: "c1"))
        harness.feed(event("new", "C", .view, at: 10 * day + 1, category: "c1"))
        #expect(harness.runner.table.read { $0.stats(of: "A")?.neighbours.map(\.itemId) } == ["B", "C"])
    }
}
