import Foundation
import Recommender
import StreamEngine
import Testing
import Topology

/// Feeds events through a pipeline as one partition's records, collecting the outputs.
struct PipelineHarness {
    var runner: LocalRunner
    var outputs: [OutputRecord] = []
    var offset: Int64 = 0

    init(_ configure: (inout PipelineSettings) -> Void = { _ in }) {
        var settings = PipelineSettings()
        configure(&settings)
        runner = LocalRunner(settings: settings)
    }

    var pipeline: RecommendationPipeline { runner.pipeline }

    mutating func feed(_ value: [UInt8]?, key: String = "k", partition: Int32 = 0) {
        var collected: [OutputRecord] = []
        let record = StreamRecord(
            topic: "user-behavior", partition: partition, offset: offset, key: Array(key.utf8), value: value)
        runner.process(record) { collected.append($0) }
        outputs += collected
        offset += 1
    }

    mutating func feed(_ event: BehaviorEvent, partition: Int32 = 0) {
        feed(EventCodec.encodeJSON(event), key: event.userId, partition: partition)
    }

    func on(_ topic: String) -> [OutputRecord] { outputs.filter { $0.topic == topic } }

    func json(_ record: OutputRecord) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(record.value ?? [])) as? [String: Any]) ?? [:]
    }
}

func event(_ user: String, _ item: String, _ behavior: Behavior, at seconds: Int64, category: String? = nil)
    -> BehaviorEvent
{
    BehaviorEvent(userId: user, itemId: item, behavior: behavior, timestamp: seconds * 1_000, categoryId: category)
}

@Suite struct PipelineTests {
    @Test func aWindowFiresOnceTheWatermarkPassesItsEndAndNotBefore() {
        var harness = PipelineHarness()
        harness.feed(event("u1", "i1", .view, at: 10, category: "c1"))
        harness.feed(event("u1", "i2", .click, at: 100, category: "c1"))
        harness.feed(event("u1", "i3", .purchase, at: 290, category: "c2"))
        harness.feed(event("u2", "i3", .view, at: 302, category: "c2"))  // watermark 297 s: window [0, 300) still open
        #expect(harness.on("user-features").isEmpty)
        harness.feed(event("u2", "i4", .view, at: 305, category: "c2"))  // watermark 300 s: it closes
        let features = harness.on("user-features")
        #expect(features.count == 1)
        let body = harness.json(features[0])
        #expect(body["userId"] as? String == "u1")
        #expect(body["windowStart"] as? Int == 0)
        #expect(body["windowEnd"] as? Int == 300_000)
        #expect(body["events"] as? Int == 3)
        #expect(body["distinctItems"] as? Int == 3)
        #expect((body["counts"] as? [String: Int])?["purchase"] == 1)
        let top = body["topCategories"] as? [[String: Any]]
        #expect(top?.first?["categoryId"] as? String == "c2")  // purchase (5) outweighs view + click (3)
        #expect(body["activeMs"] as? Int == 280_000)
    }

    @Test func eventsBehindTheWatermarkGoToTheLateTopicNotIntoState() {
        var harness = PipelineHarness()
        harness.feed(event("u1", "i1", .view, at: 1_000))
        harness.feed(event("u1", "i2", .view, at: 10))  // its window [0, 300 s) closed long ago
        #expect(harness.on("user-behavior.late").count == 1)
        #expect(harness.on("user-behavior.late").first?.headerText("streamrec-error-reason")?.hasPrefix("late") == true)
        #expect(harness.pipeline.counters.late == 1)
        #expect(harness.pipeline.counters.eventsProcessed == 1)
    }

    @Test func undecodableRecordsGoToTheDeadLetterTopicWithTheirReasonAndBytes() {
        var harness = PipelineHarness()
        harness.feed(Array("{broken".utf8), key: "bad")
        harness.feed(nil, key: "tombstone")
        harness.feed(event("u1", "i1", .view, at: 1))
        let dead = harness.on("user-behavior.dlq")
        #expect(dead.count == 2)
        #expect(dead[0].value == Array("{broken".utf8))
        #expect(dead[0].key == Array("bad".utf8))
        #expect(dead[1].headerText("streamrec-error-reason")?.contains("tombstone") == true)
        #expect(dead[0].headerText("streamrec-source") == "user-behavior:0:0")
        #expect(harness.on("recommendations").count == 1)
    }

    @Test func recommendationsFollowTheUsersCategoryAndSkipSeenItems() {
        var harness = PipelineHarness {
            $0.ranking.topN = 3
            $0.tableUpdateInterval = 0
            $0.cf.neighbourRefreshInterval = 0
        }
        // Popularity: in c1, i1 > i2 > i3; in c2, j1.
        for (user, item, category) in [("a", "i1", "c1"), ("b", "i1", "c1"), ("c", "i2", "c1"), ("d", "i3", "c1")] {
            harness.feed(event(user, item, .view, at: 1, category: category))
        }
        for user in ["a", "b", "c", "d", "e"] { harness.feed(event(user, "j1", .purchase, at: 2, category: "c2")) }
        harness.outputs.removeAll()
        harness.feed(event("newcomer", "i1", .click, at: 3, category: "c1"))
        let list = harness.json(harness.on("recommendations")[0])
        let items = (list["items"] as? [[String: Any]])?.compactMap { $0["itemId"] as? String }
        // i1 was just seen. Users who viewed i1 went on to j1 (CF, the strongest source), then the rest of c1 by
        // popularity (content).
        #expect(items == ["j1", "i2", "i3"])
        let sources = (list["items"] as? [[String: Any]])?.compactMap { $0["source"] as? String }
        #expect(sources == ["cf", "content", "content"])
        let reasons = (list["items"] as? [[String: Any]])?.compactMap { $0["reason"] as? String }
        #expect(reasons?.first == "clicked similar: i1")
        #expect(list["model"] as? String == "blend")
        #expect(list["surface"] as? String == "personalized")
    }

    @Test func userStateIsBoundedPerPartitionAndEvictionsAreCounted() {
        var harness = PipelineHarness { $0.maxUsersPerPartition = 100 }
        for index in 0..<10_000 { harness.feed(event("u\(index)", "i\(index % 7)", .view, at: 1 + Int64(index / 100))) }
        #expect(harness.pipeline.userCount == 100)
        #expect(harness.pipeline.counters.usersEvicted == 9_900)
    }

    @Test func aHotUserKeepsABoundedHistoryAndWindow() {
        var harness = PipelineHarness { $0.user.historySize = 5 }
        for index in 0..<5_000 { harness.feed(event("hot", "i\(index)", .view, at: 1)) }
        harness.feed(event("other", "x", .view, at: 400))
        let body = harness.json(harness.on("user-features")[0])
        #expect(body["events"] as? Int == 5_000)
        #expect(body["distinctItems"] as? Int == UserWindowAggregator.maxDistinctPerWindow)
    }

    @Test func idleUsersExpireAfterTheTTL() {
        var harness = PipelineHarness { $0.userTTL = 60_000 }
        harness.feed(event("gone", "i1", .view, at: 1))
        harness.feed(event("here", "i1", .view, at: 120))
        #expect(harness.pipeline.counters.usersExpired == 1)
        #expect(harness.pipeline.userCount == 1)
    }

    @Test func outputsCarryDeterministicIds() {
        var first = PipelineHarness()
        var second = PipelineHarness()
        for index in 0..<500 {
            let e = event("u\(index % 9)", "i\(index % 31)", .click, at: Int64(index * 3), category: "c\(index % 4)")
            first.feed(e)
            second.feed(e)
        }
        #expect(first.outputs == second.outputs)
        let ids = first.outputs.compactMap { $0.headerText("streamrec-id") }
        #expect(ids.count == first.outputs.count)
        #expect(Set(ids).count == ids.count)
    }

    @Test func settingsAreValidatedWithTheNameOfTheBadOne() {
        var settings = PipelineSettings()
        settings.ranking.topN = 0
        #expect(throws: SettingsError.self) { try settings.validate() }
        #expect((try? settings.validate()) == nil)
        do { try settings.validate() } catch { #expect(error.description.contains("top-n")) }
        settings.ranking.topN = 20
        settings.ranking.rankedCandidates = 19
        #expect(throws: SettingsError.self) { try settings.validate() }
        do { try settings.validate() } catch { #expect(error.description.contains("ranked-candidates")) }
        settings.ranking.rankedCandidates = 20
        #expect(throws: Never.self) { try settings.validate() }
    }
}

@Suite struct JSONWriterTests {
    @Test func stringsAreEscapedAndNumbersCompact() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("text", "quote \" backslash \\ newline \n control \u{01} ünï")
        writer.field("whole", 3.0)
        writer.field("fraction", 0.1234567)
        writer.key("list")
        writer.beginArray()
        writer.value(1)
        writer.null()
        writer.endArray()
        writer.endObject()
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(parsed["text"] as? String == "quote \" backslash \\ newline \n control \u{01} ünï")
        #expect(String(decoding: writer.bytes, as: UTF8.self).contains(#""whole":3,"#))
        #expect((parsed["fraction"] as? Double).map { abs($0 - 0.123457) < 1e-9 } == true)
    }
}

@Suite struct JSONWriterNumberTests {
    @Test(arguments: [
        (0.0, "0"), (3.0, "3"), (-2.5, "-2.5"), (0.1234567, "0.123457"), (1e-7, "0"), (-0.000001, "-0.000001"),
        (123456.75, "123456.75"), (1e13, "10000000000000.0"),
    ])
    func doublesAreWrittenWithSixDecimalsAtMost(value: Double, text: String) {
        var writer = JSONWriter()
        writer.value(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == text)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 1_732_406_400_000, Int64.max])
    func integersMatchSwiftsOwnFormatting(value: Int64) {
        var writer = JSONWriter()
        writer.value(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
    }
}

@Suite struct RebalanceTests {
    @Test func aRevokedPartitionLosesItsTasksAndAReassignedOneStartsCleanWhileOthersKeepTheirs() {
        var harness = PipelineHarness()
        harness.feed(event("moving", "i1", .view, at: 10), partition: 0)
        harness.feed(event("staying", "i2", .view, at: 10), partition: 1)
        harness.feed(event("moving", "i3", .view, at: 20), partition: 0)
        #expect(harness.pipeline.userCount == 2)
        harness.runner.revoke(TopicPartition(topic: "user-behavior", partition: 0))
        #expect(harness.pipeline.userCount == 1)
        #expect(harness.pipeline.summary.userPartitions == [1])
        // The partition comes back (to this instance) mid-window: without a changelog its state starts empty.
        harness.runner.assign(TopicPartition(topic: "user-behavior", partition: 0))
        harness.feed(event("moving", "i4", .click, at: 30), partition: 0)
        harness.feed(event("moving", "i5", .view, at: 400), partition: 0)
        harness.feed(event("staying", "i6", .view, at: 400), partition: 1)
        let windows = harness.on("user-features").map(harness.json)
        let moving = windows.first { $0["userId"] as? String == "moving" }
        let staying = windows.first { $0["userId"] as? String == "staying" }
        #expect(moving?["events"] as? Int == 1)  // only the event after re-assignment
        #expect(staying?["events"] as? Int == 1)
        #expect(harness.pipeline.counters.eventsProcessed == 6)  // totals survive the revocation
    }
}

@Suite struct UserFeatureContentTests {
    @Test func userFeaturesCarryDistinctCategoriesAndTheDecayedInterestAcrossWindows() {
        var harness = PipelineHarness()
        harness.feed(event("u", "i1", .purchase, at: 10, category: "old"))  // window [0, 300 s)
        harness.feed(event("u", "i2", .view, at: 310, category: "new"))  // window [300, 600 s)
        harness.feed(event("u", "i3", .view, at: 320, category: "other"))
        harness.feed(event("u", "i4", .view, at: 700, category: "new"))  // closes [300, 600 s)
        let windows = harness.on("user-features").map(harness.json)
        let second = windows.first { $0["windowStart"] as? Int == 300_000 }
        #expect(second?["distinctCategories"] as? Int == 2)
        // The interest still remembers the purchase of the earlier window, decayed, beside the newer views.
        let interest = (second?["interest"] as? [[String: Any]])?.compactMap { $0["categoryId"] as? String }
        #expect(interest?.contains("old") == true)
        #expect(interest?.contains("new") == true)
        let shares = (second?["interest"] as? [[String: Any]])?.compactMap { ($0["weight"] as? NSNumber)?.doubleValue }
        #expect(shares.map { abs($0.reduce(0, +) - 1) < 0.001 } == true)
    }
}
