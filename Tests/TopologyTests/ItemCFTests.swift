import Foundation
import Recommender
import StreamEngine
import Testing
import Topology

/// Item-to-item CF end to end through the local topology: pairs travel through the item shuffle, item tasks keep
/// decayed counts and publish neighbours, similar lists and cart complements come out.
@Suite struct ItemCFTests {
    static func harness(_ configure: (inout PipelineSettings) -> Void = { _ in }) -> PipelineHarness {
        PipelineHarness {
            $0.tableUpdateInterval = 0
            $0.cf.neighbourRefreshInterval = 0
            $0.cf.similarListInterval = 0
            $0.userWindow = 3_600_000  // no window closes in these streams
            $0.itemWindow = 3_600_000
            configure(&$0)
        }
    }

    func similarLists(_ harness: PipelineHarness, of itemId: String) -> [[String]] {
        harness.on("recommendations").map(harness.json).filter {
            $0["surface"] as? String == "similar" && $0["itemId"] as? String == itemId
        }.map { list in (list["items"] as? [[String: Any]] ?? []).compactMap { $0["itemId"] as? String } }
    }

    @Test func itemsAlwaysCoViewedBecomeEachOthersTopNeighbour() {
        var harness = Self.harness()
        // Every user views A then B; some also view other items alone, or with A only once.
        for user in 0..<20 {
            harness.feed(event("u\(user)", "A", .view, at: Int64(user * 10), category: "c1"))
            harness.feed(event("u\(user)", "B", .view, at: Int64(user * 10 + 1), category: "c1"))
            harness.feed(event("loner\(user)", "X\(user % 3)", .view, at: Int64(user * 10 + 2), category: "c1"))
        }
        harness.feed(event("once", "C", .view, at: 300, category: "c2"))
        harness.feed(event("once", "A", .view, at: 301, category: "c1"))

        let neighbours = harness.runner.table.read { $0.stats(of: "A")?.neighbours ?? [] }
        #expect(neighbours.first?.itemId == "B")
        #expect(neighbours.map(\.itemId).contains("C"))
        #expect(neighbours[0].similarity > neighbours[1].similarity)
        // A's page: the latest similar list of A starts with B, and says why.
        let lists = similarLists(harness, of: "A")
        #expect(lists.last?.first == "B")
        let last = harness.on("recommendations").map(harness.json).last {
            $0["surface"] as? String == "similar" && $0["itemId"] as? String == "A"
        }
        let reason = (last?["items"] as? [[String: Any]])?.first?["reason"] as? String
        #expect(reason == "often viewed together with A")
        // Symmetric: B's neighbour is A.
        #expect(harness.runner.table.read { $0.stats(of: "B")?.neighbours.first?.itemId } == "A")
        // A user who now views A gets B in the feed, from CF.
        harness.outputs.removeAll()
        harness.feed(event("newcomer", "A", .view, at: 400, category: "c1"))
        let feed = harness.json(harness.on("recommendations")[0])
        let first = (feed["items"] as? [[String: Any]])?.first
        #expect(first?["itemId"] as? String == "B")
        #expect(first?["source"] as? String == "cf")
        #expect(first?["reason"] as? String == "viewed similar: A")
    }

    @Test func decayMakesAnOldPairFallOut() {
        var harness = Self.harness {
            $0.cf.coOccurrenceHalfLife = 60_000  // one minute
            $0.cf.minCoWeight = 0.05
        }
        for user in 0..<5 {
            harness.feed(event("old\(user)", "A", .view, at: Int64(user), category: "c1"))
            harness.feed(event("old\(user)", "B", .view, at: Int64(user) + 1, category: "c1"))
        }
        #expect(harness.runner.table.read { $0.stats(of: "A")?.neighbours.map(\.itemId) } == ["B"])
        // An hour later (60 half-lives), A is co-viewed with C: B's pair has faded below the minimum weight.
        for user in 0..<5 {
            harness.feed(event("new\(user)", "A", .view, at: 3_600 + Int64(user), category: "c1"))
            harness.feed(event("new\(user)", "C", .view, at: 3_601 + Int64(user), category: "c1"))
        }
        #expect(harness.runner.table.read { $0.stats(of: "A")?.neighbours.map(\.itemId) } == ["C"])
        #expect(similarLists(harness, of: "A").last == ["C"])
    }

    /// An event pairs with up to `--co-occurrence-items` recent items; the other halves of its pairs travel one record
    /// per shuffle partition, and every recent item's counts still move.
    @Test func theOtherHalvesOfAnEventsPairsTravelOneRecordPerShufflePartition() throws {
        var harness = Self.harness { $0.shufflePartitions = 3 }
        let recent = (0..<12).map { "r\($0)" }
        for (index, item) in recent.enumerated() {
            harness.feed(event("u1", item, .view, at: Int64(index + 1), category: "c1"))
        }
        harness.outputs.removeAll()
        harness.feed(event("u1", "NEW", .view, at: 20, category: "c1"))
        let settings = harness.pipeline.settings
        let routes = OutputRoutes(settings)
        let shuffled = harness.on(settings.topics.itemShuffle).filter { $0.key != nil }
        let halves = shuffled.filter { $0.value == nil }
        // One event record, and one record per partition that holds some of the 12 recent items.
        #expect(shuffled.filter { $0.value != nil }.count == 1)
        let partitions = Set(recent.map { routes.shufflePartition(of: $0) })
        #expect(partitions.count > 1)
        #expect(halves.count == partitions.count)
        #expect(Set(halves.compactMap(\.partition)) == partitions)
        var named: [String] = []
        for record in halves {
            #expect(record.key == Array("NEW".utf8))
            let header = try #require(record.headers.first { $0.name == CoOccurrence.pairedHeader })
            let pairs = try CoOccurrence.decode(header.value ?? [])
            #expect(pairs.allSatisfy { routes.shufflePartition(of: $0.itemId) == record.partition })
            named += pairs.map(\.itemId)
        }
        #expect(named.sorted() == recent.sorted())
        // Each recent item's task counted the pair: NEW is among its neighbours.
        for item in recent {
            let neighbours = harness.runner.table.read { $0.stats(of: item)?.neighbours.map(\.itemId) ?? [] }
            #expect(neighbours.contains("NEW"))
        }
    }

    /// What versions before the per-partition records sent — one value-less record per pair, keyed by the recent item —
    /// is still counted (a rolling upgrade leaves such records in the shuffle topic).
    @Test func aPairRecordOfAnOlderVersionStillCounts() throws {
        var harness = Self.harness()
        harness.feed(event("u1", "B", .view, at: 1, category: "c1"))  // B's own popularity, which a cosine needs
        let settings = harness.pipeline.settings
        let routes = OutputRoutes(settings)
        let pair = CoOccurrence(itemId: "A", weight: 1, isConversion: false)
        let record = StreamRecord(
            topic: settings.topics.itemShuffle, partition: routes.shufflePartition(of: "B"), offset: 0,
            key: Array("B".utf8), value: nil, timestamp: 2_000,
            headers: [RecordHeader(name: CoOccurrence.header, value: CoOccurrence.encode([pair]))])
        #expect(harness.runner.table.read { $0.stats(of: "B")?.neighbours.isEmpty } == true)
        harness.runner.process(record) { _ in }
        #expect(harness.runner.table.read { $0.stats(of: "B")?.neighbours.map(\.itemId) } == ["A"])
    }

    /// In process the shuffle hands events (and the item table its rows) on typed; an item task that reads the same
    /// records as a broker delivers them, as bytes, does exactly the same.
    @Test func aShuffledEventCountsTheSameTypedAsFromItsBytes() {
        var harness = Self.harness()
        for (index, item) in ["A", "B", "C", "A", "D"].enumerated() {
            harness.feed(event("u\(index % 2)", item, .click, at: Int64(index + 1) * 1_000, category: "c1"))
        }
        let settings = harness.pipeline.settings
        let events = harness.on(settings.topics.itemShuffle).filter { $0.typed != nil }
        #expect(events.count == 5)
        #expect(events.allSatisfy { $0.typed is BehaviorEvent })
        #expect(harness.on(settings.topics.itemTable).allSatisfy { $0.typed is ItemTableRow })
        var (typedTask, bytesTask) = (
            ItemTask(partition: 0, settings: settings), ItemTask(partition: 0, settings: settings)
        )
        let (typedTable, bytesTable) = (ItemTable(maxItems: 100), ItemTable(maxItems: 100))
        var (typedOutputs, bytesOutputs) = ([OutputRecord](), [OutputRecord]())
        for (offset, output) in events.enumerated() {
            let looped = StreamRecord(looping: output, partition: output.partition ?? 0, offset: Int64(offset))
            var fromBytes = looped
            fromBytes.value = looped.value
            #expect(fromBytes.typed == nil)
            typedTask.process(looped, table: typedTable, output: &typedOutputs)
            bytesTask.process(fromBytes, table: bytesTable, output: &bytesOutputs)
        }
        #expect(typedOutputs.contains { $0.topic == settings.topics.itemTable })
        #expect(typedOutputs == bytesOutputs)
    }

    @Test func addingToTheCartYieldsWhatWasBoughtWithIt() {
        var harness = Self.harness()
        // X is bought with Y by many, with Z by one; W is only viewed next to X (no conversion pair).
        for user in 0..<6 {
            harness.feed(event("b\(user)", "X", .purchase, at: Int64(user * 10), category: "c1"))
            harness.feed(event("b\(user)", "Y", .purchase, at: Int64(user * 10 + 1), category: "c2"))
            harness.feed(event("v\(user)", "X", .view, at: Int64(user * 10 + 2), category: "c1"))
            harness.feed(event("v\(user)", "W", .view, at: Int64(user * 10 + 3), category: "c3"))
        }
        harness.feed(event("z", "Z", .cart, at: 100, category: "c4"))
        harness.feed(event("z", "X", .purchase, at: 101, category: "c1"))
        let complements = harness.runner.table.read { $0.stats(of: "X")?.complements.map(\.itemId) ?? [] }
        #expect(complements.first == "Y")
        #expect(complements.contains("Z"))
        #expect(!complements.contains("W"))

        harness.outputs.removeAll()
        harness.feed(event("shopper", "X", .cart, at: 200, category: "c1"))
        let lists = harness.on("recommendations").map(harness.json)
        let cart = try? #require(lists.first { $0["surface"] as? String == "cart" })
        let items = (cart?["items"] as? [[String: Any]]) ?? []
        #expect(items.compactMap { $0["itemId"] as? String } == ["Y", "Z"])
        #expect(items.first?["reason"] as? String == "in your cart: X")
        // Buying it empties the cart: the cart list is emitted again, now empty.
        harness.outputs.removeAll()
        harness.feed(event("shopper", "X", .purchase, at: 201, category: "c1"))
        let after = harness.on("recommendations").map(harness.json).first { $0["surface"] as? String == "cart" }
        #expect((after?["items"] as? [[String: Any]])?.isEmpty == true)
    }

    @Test func partnersPerItemAreBoundedAndTheWeakestGivesWay() {
        var counts = CoOccurrenceCounts()
        let limits = CoOccurrenceCounts.Limits(halfLife: 3_600_000, maxPartners: 5, minWeight: 0.01)
        for index in 0..<100 {
            counts.add([CoOccurrence(itemId: "p\(index)", weight: 1, isConversion: false)], at: 0, limits: limits)
        }
        #expect(counts.partnerCount == 5)
        counts.add([CoOccurrence(itemId: "strong", weight: 3, isConversion: false)], at: 0, limits: limits)
        counts.addEvent(weight: 1, at: 0, limits: limits)
        let related = counts.related(count: 10, at: 0, limits: limits) { _, _ in 1 }
        #expect(related.neighbours.count == 5)
        #expect(related.neighbours.first?.itemId == "strong")
    }

    /// A partner seen once whose item is rare has a higher cosine than one seen five times with a popular item;
    /// shrinkage by co/(co + 2) ranks the steady partner first: 5/6 × 5/7 ≈ 0.60 against 1 × 1/3.
    @Test func shrinkageRanksASteadyPartnerAboveAOneOffWithARareItem() {
        var counts = CoOccurrenceCounts()
        let plain = CoOccurrenceCounts.Limits(halfLife: 3_600_000, maxPartners: 10, minWeight: 0)
        var shrunk = plain
        shrunk.shrinkage = 2
        for _ in 0..<5 {
            counts.add([CoOccurrence(itemId: "steady", weight: 1, isConversion: false)], at: 0, limits: plain)
        }
        counts.add([CoOccurrence(itemId: "rare", weight: 1, isConversion: false)], at: 0, limits: plain)
        counts.addEvent(weight: 1, at: 0, limits: plain)
        let popularity = ["steady": 36.0, "rare": 1.0]
        func order(_ limits: CoOccurrenceCounts.Limits) -> [String] {
            counts.related(count: 2, at: 0, limits: limits) { id, _ in popularity[id] }.neighbours.map(\.itemId)
        }
        #expect(order(plain) == ["rare", "steady"])
        #expect(order(shrunk) == ["steady", "rare"])
    }

    /// Published neighbours are the partners with the most co-occurrence (a feed sums them), ordered by similarity:
    /// of two, the steady partner of a popular item is kept over a one-off with a rare one, whose cosine is higher.
    @Test func neighboursAreThePartnersWithTheMostCoOccurrenceMostSimilarFirst() {
        var counts = CoOccurrenceCounts()
        let limits = CoOccurrenceCounts.Limits(halfLife: 3_600_000, maxPartners: 10, minWeight: 0)
        for (itemId, pairs) in [("steady", 5), ("often", 3), ("rare", 1)] {
            for _ in 0..<pairs {
                counts.add([CoOccurrence(itemId: itemId, weight: 1, isConversion: false)], at: 0, limits: limits)
            }
        }
        counts.addEvent(weight: 1, at: 0, limits: limits)
        let popularity = ["steady": 100.0, "often": 4.0, "rare": 1.0]
        let neighbours = counts.related(count: 2, at: 0, limits: limits) { id, _ in popularity[id] }.neighbours
        // Cosines: often 3/2, steady 5/10 (rare's 1/1 would be between them, but it has the fewest pairs).
        #expect(neighbours.map(\.itemId) == ["often", "steady"])
    }

    @Test func forwardDecayReadsTheSameAsDecayingEverything() {
        var counts = CoOccurrenceCounts()
        let halfLife: Int64 = 1_000
        let limits = CoOccurrenceCounts.Limits(halfLife: halfLife, maxPartners: 10, minWeight: 0)
        counts.addEvent(weight: 8, at: 0, limits: limits)
        counts.addEvent(weight: 4, at: 1_000, limits: limits)
        // 8 halved once, plus 4.
        #expect(abs(counts.popularity(at: 1_000, halfLife: halfLife) - 8) < 1e-9)
        #expect(abs(counts.popularity(at: 2_000, halfLife: halfLife) - 4) < 1e-9)
        // Far in the future the landmark moves (scale past 2^64) without losing the value.
        counts.addEvent(weight: 1, at: 70_000, limits: limits)
        #expect(abs(counts.popularity(at: 70_000, halfLife: halfLife) - 1) < 1e-9)
    }
}
