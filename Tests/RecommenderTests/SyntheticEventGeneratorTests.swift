import Recommender
import Testing

@Suite struct SyntheticEventGeneratorTests {
    static func sample(seed: UInt64 = 1, count: Int = 50_000) -> [BehaviorEvent] {
        var generator = SyntheticEventGenerator(
            seed: seed, users: 1_000, items: 5_000, categories: 20, eventsPerSecond: 100)
        return (0..<count).map { _ in generator.next() }
    }

    @Test func theSameSeedGivesTheSameStreamAndAnotherSeedAnother() {
        #expect(Self.sample(seed: 9, count: 2_000) == Self.sample(seed: 9, count: 2_000))
        #expect(Self.sample(seed: 9, count: 2_000) != Self.sample(seed: 10, count: 2_000))
    }

    @Test func theFunnelNarrowsFromViewsToPurchases() {
        let counts = Dictionary(grouping: Self.sample(), by: \.behavior).mapValues(\.count)
        #expect(counts[.view]! > counts[.click]!)
        #expect(counts[.click]! > counts[.cart]!)
        #expect(counts[.cart]! > counts[.purchase]!)
        #expect(counts[.purchase]! > 0)
    }

    @Test func popularityIsSkewed() {
        let events = Self.sample()
        let perItem = Dictionary(grouping: events, by: \.itemId).mapValues(\.count).values.sorted(by: >)
        let topOnePercent = perItem.prefix(max(1, perItem.count / 100)).reduce(0, +)
        #expect(Double(topOnePercent) / Double(events.count) > 0.1)
    }

    @Test func eachItemKeepsItsCategoryAndTimeIsOrderedUpToTheDisorderBound() {
        let events = Self.sample()
        var categoryOf: [String: String] = [:]
        var newest = events[0].timestamp
        for event in events {
            #expect(categoryOf[event.itemId, default: event.categoryId!] == event.categoryId)
            categoryOf[event.itemId] = event.categoryId
            #expect(event.timestamp > newest - SyntheticEventGenerator.maxDisorder)
            newest = max(newest, event.timestamp)
        }
        #expect(newest - events[0].timestamp >= 499_000)  // 50 000 events at 100/s
    }

    @Test func usersDriftBetweenCategoriesButStayAWhile() {
        let events = Self.sample()
        let first = events.first!.userId
        let categories = events.filter { $0.userId == first }.compactMap(\.categoryId)
        let switches = zip(categories, categories.dropFirst()).filter { $0 != $1 }.count
        #expect(switches > 0)
        #expect(switches < categories.count / 2)
    }
}
