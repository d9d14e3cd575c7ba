import Foundation
import Recommender
import StreamEngine
import Testing

/// The user surfaces besides the feed, and the feed's diversity and filters.
@Suite struct SurfaceTests {
    func lists(_ harness: PipelineHarness, _ surface: String, user: String) -> [[String: Any]] {
        harness.on("recommendations").map(harness.json).filter {
            $0["surface"] as? String == surface && $0["userId"] as? String == user
        }
    }

    func windowFeeds(_ harness: PipelineHarness, user: String) -> [[String: Any]] {
        lists(harness, "personalized", user: user).filter {
            ($0["trigger"] as? [String: Any])?["kind"] as? String == "window"
        }
    }

    /// Every event had its own feed (no recommendation interval), so the window ranks none again: the last event's
    /// feed was ranked from the same state. Topics and creators come.
    @Test func aClosedWindowBringsTopicsAndCreatorsAndKeepsACurrentFeed() {
        var harness = PipelineHarness { $0.tableUpdateInterval = 0 }
        harness.runner.table.apply(
            ItemTableRow(itemId: "i1", categoryId: "c1", creatorId: "cr1", score: 0, updatedAt: 0))
        harness.runner.table.apply(
            ItemTableRow(itemId: "i2", categoryId: "c2", creatorId: "cr2", score: 0, updatedAt: 0))
        harness.feed(event("u3", "i3", .view, at: 5, category: "c3"))
        harness.feed(event("u1", "i1", .purchase, at: 10, category: "c1"))
        harness.feed(event("u1", "i2", .view, at: 20, category: "c2"))
        harness.feed(event("u2", "i1", .view, at: 400))  // watermark past 300 s: u1's first window closes
        let topics = lists(harness, "topics", user: "u1")
        #expect(topics.count == 1)
        let topicItems = topics.first?["items"] as? [[String: Any]] ?? []
        #expect(topicItems.compactMap { $0["categoryId"] as? String } == ["c1", "c2"])  // purchase outweighs view
        #expect((topicItems.first?["reason"] as? String)?.hasSuffix("% of your recent interest") == true)
        let creators = lists(harness, "creators", user: "u1").first?["items"] as? [[String: Any]] ?? []
        #expect(creators.compactMap { $0["creatorId"] as? String } == ["cr1", "cr2"])
        #expect(windowFeeds(harness, user: "u1").isEmpty)
        #expect(lists(harness, "personalized", user: "u1").count == 2)  // one per event
        #expect(harness.pipeline.counters.windowFeedsKept == 2)  // u1's and u3's windows
    }

    /// `--refresh-feeds-at-window-close`: the window ranks the feed again anyway.
    @Test func aClosedWindowRefreshesACurrentFeedWhenAsked() {
        var harness = PipelineHarness {
            $0.tableUpdateInterval = 0
            $0.refreshesCurrentFeedsAtWindowClose = true
        }
        harness.feed(event("u1", "i1", .view, at: 10, category: "c1"))
        harness.feed(event("u2", "i1", .view, at: 400))
        #expect(windowFeeds(harness, user: "u1").count == 1)
        #expect(harness.pipeline.counters.windowFeedsKept == 0)
    }

    /// An event the recommendation interval held back leaves the last feed stale: the closing window ranks one.
    @Test func aClosedWindowRanksAFeedWhenAnEventCameAfterTheLastOne() {
        var harness = PipelineHarness {
            $0.tableUpdateInterval = 0
            $0.recommendationInterval = 60_000
        }
        harness.feed(event("u1", "i1", .view, at: 10, category: "c1"))
        harness.feed(event("u1", "i2", .view, at: 20, category: "c2"))  // within the interval: no feed of its own
        harness.feed(event("u2", "i1", .view, at: 400))  // u1's window closes
        #expect(lists(harness, "personalized", user: "u1").count == 2)  // the first event's and the window's
        let feed = windowFeeds(harness, user: "u1")
        #expect(feed.count == 1)
        #expect(feed.first?["generatedAt"] as? Int == 299_999)
        #expect(harness.pipeline.counters.windowFeedsKept == 0)
    }

    @Test func aFeedHoldsAtMostKItemsPerCategoryAndNothingBought() {
        var harness = PipelineHarness {
            $0.tableUpdateInterval = 0
            $0.ranking.topN = 6
            $0.ranking.maxPerCategory = 2
            $0.ranking.blend.popular = 1  // the overall chart alone would be all c1
        }
        for index in 0..<8 {
            for user in 0...index { harness.feed(event("p\(user)", "a\(index)", .view, at: 1, category: "c1")) }
        }
        for index in 0..<5 {
            for user in ["q", "r"] {
                harness.feed(event("\(user)\(index)", "b\(index)", .view, at: 2, category: "c\(index + 2)"))
            }
        }
        harness.feed(event("buyer", "a7", .purchase, at: 3, category: "c1"))
        harness.outputs.removeAll()
        harness.feed(event("buyer", "b0", .view, at: 4, category: "c2"))
        let feed = lists(harness, "personalized", user: "buyer").first
        let items = (feed?["items"] as? [[String: Any]]) ?? []
        let categories = items.compactMap { $0["categoryId"] as? String }
        #expect(items.count == 6)
        #expect(categories.filter { $0 == "c1" }.count <= 2)
        let ids = items.compactMap { $0["itemId"] as? String }
        #expect(!ids.contains("a7") && !ids.contains("b0"))  // bought, just seen
        #expect(items.allSatisfy { !(($0["reason"] as? String) ?? "").isEmpty })
    }
}

@Suite struct CacheCounterTests {
    /// The user cache is used on the hot path and its counters reach the pipeline's (and so the metrics).
    @Test func theUserCacheCountsHitsMissesAndEvictions() {
        var harness = PipelineHarness {
            $0.tableUpdateInterval = 0
            $0.userCache = CacheBounds(maxEntries: 3, expireAfterWrite: 600_000)
        }
        for index in 0..<200 {
            harness.feed(event("u\(index % 10)", "i\(index % 17)", .view, at: Int64(index), category: "c\(index % 4)"))
        }
        #expect(harness.pipeline.counters.userCache.hits == 0)  // 10 users in turn, room for 3: every feed was evicted
        harness.feed(event("u0", "i1", .view, at: 300, category: "c1"))
        harness.feed(event("u0", "i2", .view, at: 301, category: "c1"))  // u0 again right away: its feed is there
        let counters = harness.pipeline.counters
        #expect(counters.userCache.evictions > 0 && counters.userCache.misses > 0)
        #expect(counters.userCache.hits == 1)
    }
}
