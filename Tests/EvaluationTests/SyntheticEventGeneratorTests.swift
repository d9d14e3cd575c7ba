import Evaluation
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
        var first = SyntheticEventGenerator()
        var second = SyntheticEventGenerator()
        #expect((0..<1_000).map { _ in first.next() } == (0..<1_000).map { _ in second.next() })
    }

    @Test func theRandomSourceIsTheReferenceXoshiro() {
        // xoshiro256** seeded with SplitMix64(0): the reference implementation's first outputs.
        var random = SeededRandom(seed: 0)
        #expect(random.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(random.next() == 0xBF6E_1F78_4956_452A)
        var bounded = SeededRandom(seed: 3)
        for bound in [1, 2, 7, 1_000] { #expect((0..<1_000).allSatisfy { _ in bounded.below(bound) < bound }) }
        #expect((0..<1_000).allSatisfy { _ in (0..<1).contains(bounded.unit()) })
    }

    @Test func theFunnelNarrowsFromViewsToPurchases() {
        let events = Self.sample()
        let counts = Dictionary(grouping: events, by: \.behavior).mapValues(\.count)
        #expect(counts[.view]! > events.count / 2)
        #expect(counts[.view]! > counts[.click]!)
        #expect(counts[.click]! > counts[.cart]!)
        #expect(counts[.click]! > counts[.favorite]!)
        #expect(counts[.cart]! > counts[.purchase]!)
        #expect(counts[.favorite]! > counts[.purchase]!)
        #expect(counts[.purchase]! > 0)
        for (behavior, share) in SyntheticEventGenerator.behaviorShares {
            #expect(abs(Double(counts[behavior]!) / Double(events.count) - share) < 0.01, "\(behavior)")
        }
    }

    @Test func cartsAndPurchasesAreMostlyOnItemsTheUserViewedRecently() {
        var viewed: [String: [String]] = [:]  // user → last views
        var recent = 0
        var total = 0
        for event in Self.sample() {
            if event.behavior == .view {
                viewed[event.userId, default: []].append(event.itemId)
                if viewed[event.userId]!.count > SyntheticEventGenerator.recentItems {
                    viewed[event.userId]!.removeFirst()
                }
            } else if event.behavior == .cart || event.behavior == .purchase, let views = viewed[event.userId] {
                total += 1
                if views.contains(event.itemId) { recent += 1 }
            }
        }
        #expect(total > 1_000)
        #expect(Double(recent) / Double(total) > 0.8)
    }

    @Test func popularityIsSkewed() {
        let events = Self.sample()
        let perItem = Dictionary(grouping: events, by: \.itemId).mapValues(\.count).values.sorted(by: >)
        // The top 1 % of the catalogue (50 of 5 000 items) gets far more than 1 % of the events.
        #expect(Double(perItem.prefix(50).reduce(0, +)) / Double(events.count) > 0.1)
        let perCategory = Dictionary(grouping: events, by: \.categoryId).mapValues(\.count).values.sorted(by: >)
        #expect(perCategory.count == 20)
        #expect(perCategory.first! > 3 * perCategory.last!)
        let perUser = Dictionary(grouping: events, by: \.userId).mapValues(\.count).values.sorted(by: >)
        #expect(perUser.prefix(10).reduce(0, +) > 10 * events.count / 1_000 * 3)  // top 1 % of users: > 3 %
    }

    @Test func eachItemKeepsItsCategoryAndTimeIsOrderedUpToTheDisorderBound() {
        let events = Self.sample()
        let generator = SyntheticEventGenerator(users: 1_000, items: 5_000, categories: 20)
        var newest = events[0].timestamp
        var late = 0
        for event in events {
            #expect(event.categoryId == generator.categoryId(ofItemId: event.itemId))
            #expect(event.timestamp > newest - SyntheticEventGenerator.maxDisorder)
            if event.timestamp < newest { late += 1 }
            newest = max(newest, event.timestamp)
        }
        #expect(late > 0)  // some disorder, as real producers have
        #expect(late < events.count / 10)
        #expect(newest - events[0].timestamp >= 499_000)  // 50 000 events at 100/s
        #expect(newest - events[0].timestamp <= 500_000)
        #expect(generator.categoryId(ofItemId: "i45") == "c5")
        #expect(generator.category(ofItem: 45) == 5)
        #expect(generator.categoryId(ofItemId: "u45") == nil)
        #expect(generator.categoryId(ofItemId: "i+5") == nil)
        #expect(generator.categoryId(ofItemId: "i") == nil)
    }

    @Test func idsHaveTheDocumentedShape() {
        for event in Self.sample(count: 5_000) {
            #expect(event.userId.hasPrefix("u") && Int(event.userId.dropFirst())! < 1_000)
            #expect(event.itemId.hasPrefix("i") && Int(event.itemId.dropFirst())! < 5_000)
            #expect(event.categoryId!.hasPrefix("c") && Int(event.categoryId!.dropFirst())! < 20)
        }
        var generator = SyntheticEventGenerator(seed: 1, users: 1, items: 1, categories: 1)
        #expect(generator.next().userId == "u0")
    }

    @Test func usersStayInAFewCategoriesAndDriftNowAndThen() {
        let events = Self.sample(count: 100_000)
        let byUser = Dictionary(grouping: events, by: \.userId)
        let heavy = byUser.values.sorted { $0.count > $1.count }.prefix(20)
        var windows = 0
        var inTopThree = 0
        var wanderers = 0
        for history in heavy {
            let categories = history.compactMap(\.categoryId)
            let switches = zip(categories, categories.dropFirst()).filter { $0 != $1 }.count
            #expect(switches > 0)
            #expect(switches < categories.count / 3)
            // Within a stretch of 200 events a user keeps to about three categories...
            for start in stride(from: 0, to: categories.count - 200, by: 200) {
                let counts = Dictionary(grouping: categories[start..<start + 200], by: { $0 }).mapValues(\.count)
                let top = counts.values.sorted(by: >).prefix(3).reduce(0, +)
                #expect(top > 120)
                windows += 1
                inTopThree += top
            }
            // ...and over the whole run moves on to others.
            if Set(categories).count > 3 { wanderers += 1 }
        }
        #expect(Double(inTopThree) / Double(windows * 200) > 0.9)
        #expect(wanderers >= heavy.count / 2)
    }
}
