/// Endless, reproducible behavior events that look like a shop's: category and item popularity are skewed (Zipf),
/// users browse a category for a while and drift to another, and the funnel narrows from views to purchases, with
/// carts and purchases mostly on items the user just viewed. Event time advances at `eventsPerSecond` with a little
/// disorder (up to 2 s), as real producers have.
public struct SyntheticEventGenerator: Sendable {
    private struct UserSession: Sendable {
        var category: Int32 = -1
        var recent: [Int32] = []  // bound: the last 4 items viewed
    }

    public let users: Int
    public let items: Int
    public let categories: Int
    private var random: SeededRandom
    private let userSampler: ZipfSampler
    private let categorySampler: ZipfSampler
    private let itemInCategorySampler: ZipfSampler
    // Bound: one small session per user.
    private var sessions: [UserSession]
    private let startTime: Int64
    private let millisecondsPerEvent: Double
    private var emitted: Int64 = 0

    /// Probability that a user's next event is in another category than their current one.
    public static let driftProbability = 0.08
    /// Largest disorder of event time, milliseconds.
    public static let maxDisorder: Int64 = 2_000

    public init(
        seed: UInt64 = 42, users: Int = 10_000, items: Int = 50_000, categories: Int = 100,
        startTime: Int64 = 1_732_406_400_000, eventsPerSecond: Double = 1_000
    ) {
        precondition(
            users > 0 && categories > 0 && items >= categories, "need users, categories and items ≥ categories")
        precondition(eventsPerSecond > 0, "eventsPerSecond must be positive")
        self.users = users
        self.items = items
        self.categories = categories
        random = SeededRandom(seed: seed)
        userSampler = ZipfSampler(count: users, exponent: 0.8)
        categorySampler = ZipfSampler(count: categories, exponent: 1.0)
        itemInCategorySampler = ZipfSampler(count: items / categories, exponent: 1.1)
        sessions = Array(repeating: UserSession(), count: users)
        self.startTime = startTime
        millisecondsPerEvent = 1_000 / eventsPerSecond
    }

    /// Items are laid out so that item i belongs to category i % categories.
    public func category(ofItem item: Int) -> Int { item % categories }

    public mutating func next() -> BehaviorEvent {
        let user = userSampler.sample(using: &random)
        var session = sessions[user]
        if session.category < 0 || random.unit() < Self.driftProbability {
            session.category = Int32(categorySampler.sample(using: &random))
        }
        let roll = random.unit()
        let behavior: Behavior
        var item: Int
        switch roll {
        case ..<0.70: behavior = .view
        case ..<0.85: behavior = .click
        case ..<0.91: behavior = .favorite
        case ..<0.97: behavior = .cart
        default: behavior = .purchase
        }
        if behavior != .view, !session.recent.isEmpty, random.unit() < 0.85 {
            item = Int(session.recent[Int(random.next() % UInt64(session.recent.count))])
        } else {
            let rank = itemInCategorySampler.sample(using: &random)
            item = rank * categories + Int(session.category)
            if item >= items { item = Int(session.category) }
        }
        if behavior == .view {
            session.recent.append(Int32(item))
            if session.recent.count > 4 { session.recent.removeFirst() }
        }
        sessions[user] = session
        let nominal = startTime + Int64(Double(emitted) * millisecondsPerEvent)
        emitted += 1
        let disorder = random.unit() < 0.05 ? Int64(random.next() % UInt64(Self.maxDisorder)) : 0
        return BehaviorEvent(
            userId: "u\(user)", itemId: "i\(item)", behavior: behavior, timestamp: max(1, nominal - disorder),
            categoryId: "c\(category(ofItem: item))")
    }
}
