import Recommender

/// Endless, reproducible behavior events that look like a shop's:
///
/// - popularity is skewed (Zipf) three ways: users, categories, and items within a category;
/// - every user browses a few categories of their own (`interestsPerUser`, drawn by category popularity), stays in
///   one for a while, moves to another of them now and then (`driftProbability`) and rarely swaps one for a new
///   category (`newInterestProbability`);
/// - the funnel narrows from views through clicks, favorites and carts to purchases (`behaviorShares`), and clicks,
///   favorites, carts and purchases are mostly on items the user viewed recently (the last `recentItems`);
/// - event time advances by 1/`eventsPerSecond` per event; one event in twenty is late by less than `maxDisorder`
///   milliseconds, as real producers are — never more, so a watermark with that out-of-orderness drops nothing.
///
/// Ids are `u<n>`, `i<n>` and `c<n>`; item `i<n>` is always in category `c<n % categories>`. The same seed gives the
/// same events on every platform (own xoshiro256** generator). Memory: one 36-byte session per user plus the
/// samplers' tables (users + categories + items/categories doubles).
public struct SyntheticEventGenerator: Sendable {
    /// What the generator remembers about a user.
    private struct UserSession: Sendable {
        /// The user's categories; `-1` until the user's first event.
        var interests: (Int32, Int32, Int32) = (-1, -1, -1)
        /// Which of `interests` the user is browsing.
        var current: Int32 = 0
        /// Ring of the last items viewed.
        var recent: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
        var recentNext: Int32 = 0
        var recentCount: Int32 = 0
    }

    public let users: Int
    public let items: Int
    public let categories: Int
    public let startTime: Int64
    public let eventsPerSecond: Double
    private var random: SeededRandom
    private let userSampler: ZipfSampler
    private let categorySampler: ZipfSampler
    private let itemInCategorySampler: ZipfSampler
    // Bound: one session per user.
    private var sessions: [UserSession]
    private let millisecondsPerEvent: Double
    private var emitted: Int64 = 0

    /// How many categories a user browses.
    public static let interestsPerUser = 3
    /// Probability that a user's next event is in another of their categories than the current one.
    public static let driftProbability = 0.08
    /// Probability that a user replaces the current category by a new one (drawn by popularity).
    public static let newInterestProbability = 0.002
    /// How many recently viewed items a user's clicks, carts and purchases come back to.
    public static let recentItems = 4
    /// Share of non-view events on a recently viewed item (the rest are on any item of the current category).
    public static let revisitProbability = 0.85
    /// Share of events that are late (event time earlier than their position in the stream).
    public static let lateProbability = 0.05
    /// Largest disorder of event time, milliseconds: a late event is less than this much older than the newest.
    public static let maxDisorder: Int64 = 2_000
    /// The share of each behaviour among the events.
    public static let behaviorShares: [Behavior: Double] = [
        .view: 0.70, .click: 0.15, .favorite: 0.06, .cart: 0.06, .purchase: 0.03,
    ]

    /// - Parameters:
    ///   - startTime: event time of the first event, epoch milliseconds (default 2024-11-24T00:00:00Z).
    ///   - items: at least `categories`; each category gets `items / categories` of them.
    public init(
        seed: UInt64 = 42, users: Int = 10_000, items: Int = 50_000, categories: Int = 100,
        startTime: Int64 = 1_732_406_400_000, eventsPerSecond: Double = 1_000
    ) {
        precondition(
            users > 0 && categories > 0 && items >= categories, "need users, categories and items ≥ categories")
        precondition(users <= Int(Int32.max) && items <= Int(Int32.max), "users and items must fit in Int32")
        precondition(eventsPerSecond > 0 && eventsPerSecond.isFinite, "eventsPerSecond must be positive")
        self.users = users
        self.items = items
        self.categories = categories
        self.startTime = startTime
        self.eventsPerSecond = eventsPerSecond
        random = SeededRandom(seed: seed)
        userSampler = ZipfSampler(count: users, exponent: 0.8)
        categorySampler = ZipfSampler(count: categories, exponent: 1.0)
        itemInCategorySampler = ZipfSampler(count: items / categories, exponent: 1.1)
        sessions = Array(repeating: UserSession(), count: users)
        millisecondsPerEvent = 1_000 / eventsPerSecond
    }

    /// The `item-catalog` record of item number `item`: its category, and a creator (`cr<n>`, about 25 items each).
    public func catalogRecord(ofItem item: Int) -> (key: String, value: [UInt8]) {
        let itemId = Self.id("i", item)
        var json = JSONWriter(capacity: 80)
        json.beginObject()
        json.field("itemId", itemId)
        json.field("categoryId", Self.id("c", category(ofItem: item)))
        json.field("creatorId", "cr\(item % max(1, items / 25))")
        json.endObject()
        return (itemId, json.bytes)
    }

    /// The category of item number `item`: items are laid out so that item i belongs to category i % categories.
    public func category(ofItem item: Int) -> Int { item % categories }

    /// The category id (`c<n>`) of an item id this generator writes (`i<n>`); nil for other ids.
    public func categoryId(ofItemId itemId: some StringProtocol) -> String? {
        guard itemId.utf8.first == UInt8(ascii: "i"), itemId.utf8.count > 1,
            itemId.utf8.dropFirst().allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }),
            let number = Int(itemId.dropFirst())
        else { return nil }
        return Self.id("c", category(ofItem: number))
    }

    public mutating func next() -> BehaviorEvent {
        let user = userSampler.sample(using: &random)
        var session = sessions[user]
        if session.interests.0 < 0 {
            session.interests = (nextCategory(), nextCategory(), nextCategory())
        } else if random.unit() < Self.driftProbability {
            session.current = (session.current + 1 + Int32(random.below(Self.interestsPerUser - 1))) % 3
            if random.unit() < Self.newInterestProbability / Self.driftProbability {
                let fresh = nextCategory()
                switch session.current {
                case 0: session.interests.0 = fresh
                case 1: session.interests.1 = fresh
                default: session.interests.2 = fresh
                }
            }
        }
        let category: Int32
        switch session.current {
        case 0: category = session.interests.0
        case 1: category = session.interests.1
        default: category = session.interests.2
        }

        let behavior: Behavior
        switch random.unit() {
        case ..<0.70: behavior = .view
        case ..<0.85: behavior = .click
        case ..<0.91: behavior = .favorite
        case ..<0.97: behavior = .cart
        default: behavior = .purchase
        }
        let item: Int
        if behavior != .view, session.recentCount > 0, random.unit() < Self.revisitProbability {
            switch random.below(Int(session.recentCount)) {
            case 0: item = Int(session.recent.0)
            case 1: item = Int(session.recent.1)
            case 2: item = Int(session.recent.2)
            default: item = Int(session.recent.3)
            }
        } else {
            item = itemInCategorySampler.sample(using: &random) * categories + Int(category)
        }
        if behavior == .view {
            let viewed = Int32(item)
            switch session.recentNext {
            case 0: session.recent.0 = viewed
            case 1: session.recent.1 = viewed
            case 2: session.recent.2 = viewed
            default: session.recent.3 = viewed
            }
            session.recentNext = (session.recentNext + 1) % Int32(Self.recentItems)
            session.recentCount = min(session.recentCount + 1, Int32(Self.recentItems))
        }
        sessions[user] = session

        let nominal = startTime + Int64(Double(emitted) * millisecondsPerEvent)
        emitted += 1
        let late = random.unit() < Self.lateProbability ? Int64(random.below(Int(Self.maxDisorder))) : 0
        return BehaviorEvent(
            userId: Self.id("u", user), itemId: Self.id("i", item), behavior: behavior,
            timestamp: max(1, nominal - late), categoryId: Self.id("c", self.category(ofItem: item)))
    }

    private mutating func nextCategory() -> Int32 { Int32(categorySampler.sample(using: &random)) }

    /// `prefix` followed by the decimal digits of `number` (≥ 0), written straight into a small string: interpolation
    /// costs several times as much, and this runs three times per event.
    static func id(_ prefix: Unicode.Scalar, _ number: Int) -> String {
        String(unsafeUninitializedCapacity: 21) { buffer in
            var digits = 1
            var rest = number / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            buffer[0] = UInt8(ascii: prefix)
            var value = number
            for position in stride(from: digits, to: 0, by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
            return digits + 1
        }
    }
}
