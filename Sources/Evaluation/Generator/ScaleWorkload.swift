import Recommender

/// The workload the performance targets are stated for: a realistic catalogue with no structure to exploit —
/// users uniform, items Zipf-popular (s = 1), each item in one category (`i<n>` in `c<n % categories>`), the
/// behaviour mix of a shop's funnel, event time spread evenly over `duration` with bounded disorder. Defaults: 100 000
/// users, 50 000 items, 500 categories, view/click/favorite/cart/purchase at 80/12/3/3/2 %, 2 hours, at most 5 s out
/// of order. Reproducible (own xoshiro256** generator); memory: the item sampler's table.
public struct ScaleWorkload: Sendable {
    public let users: Int
    public let items: Int
    public let categories: Int
    public let events: Int
    public let startTime: Int64
    /// Event time from the first to the last event, milliseconds.
    public let duration: Int64
    /// Largest disorder: an event's time is up to this much earlier than its place in the stream.
    public let maxDisorder: Int64
    private var random: SeededRandom
    private let itemSampler: ZipfSampler
    private var emitted = 0

    /// Cumulative shares of view, click, favorite, cart, purchase.
    public static let behaviorShares: [(Behavior, Double)] = [
        (.view, 0.80), (.click, 0.12), (.favorite, 0.03), (.cart, 0.03), (.purchase, 0.02),
    ]

    public init(
        seed: UInt64 = 7, events: Int = 1_000_000, users: Int = 100_000, items: Int = 50_000, categories: Int = 500,
        startTime: Int64 = 1_732_406_400_000, duration: Int64 = 2 * 3_600_000, maxDisorder: Int64 = 5_000
    ) {
        precondition(events > 0 && users > 0 && items > 0 && categories > 0, "need events, users, items, categories")
        precondition(duration >= 0 && maxDisorder >= 0, "duration and disorder are not negative")
        self.users = users
        self.items = items
        self.categories = categories
        self.events = events
        self.startTime = startTime
        self.duration = duration
        self.maxDisorder = maxDisorder
        random = SeededRandom(seed: seed)
        itemSampler = ZipfSampler(count: items, exponent: 1.0)
    }

    /// The next event, nil after `events`.
    public mutating func next() -> BehaviorEvent? {
        guard emitted < events else { return nil }
        let position = startTime + Int64(Double(duration) * Double(emitted) / Double(max(1, events - 1)))
        emitted += 1
        let user = random.below(users)
        let item = itemSampler.sample(using: &random)
        let draw = random.unit()
        var cumulative = 0.0
        var behavior = Behavior.view
        for (candidate, share) in Self.behaviorShares {
            cumulative += share
            behavior = candidate
            if draw < cumulative { break }
        }
        let disorder = maxDisorder == 0 ? 0 : Int64(random.below(Int(maxDisorder) + 1))
        return BehaviorEvent(
            userId: "u\(user)", itemId: "i\(item)", behavior: behavior, timestamp: max(startTime, position - disorder),
            categoryId: "c\(item % categories)")
    }
}
