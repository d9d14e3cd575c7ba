import StreamEngine

/// Everything kept for one user. Each part has its own bound (history ring, category cap, open windows, cart and
/// purchase lists).
public struct UserState: Sendable {
    public var history: RecentHistory
    public var interest: CategoryInterest
    /// Window start → aggregate of windows the watermark has not closed yet; at most a few (the current window and,
    /// while out-of-order events may still arrive, the previous one).
    public var openWindows: [Int64: UserWindowAggregator.Accumulator] = [:]
    public var lastRecommendationAt: Int64 = .min
    /// Items put in the cart and not bought since, oldest first. Bound: `cartSize` (the oldest leaves).
    public var cart: [String] = []
    /// Items bought, oldest first. Bound: `historySize`.
    public var purchased: [String] = []

    public init(settings: UserFeatureSettings) {
        history = RecentHistory(capacity: settings.historySize)
        interest = CategoryInterest(halfLife: settings.interestHalfLife, maxCategories: settings.maxCategoriesPerUser)
    }

    /// Keeps the cart and purchases up to date; true when the cart changed.
    package mutating func noteCart(_ event: BehaviorEvent, settings: UserFeatureSettings) -> Bool {
        switch event.behavior {
        case .cart:
            cart.removeAll { $0 == event.itemId }
            cart.append(event.itemId)
            if cart.count > settings.cartSize { cart.removeFirst(cart.count - settings.cartSize) }
            return true
        case .purchase:
            if !purchased.contains(event.itemId) {
                purchased.append(event.itemId)
                if purchased.count > settings.historySize {
                    purchased.removeFirst(purchased.count - settings.historySize)
                }
            }
            let before = cart.count
            cart.removeAll { $0 == event.itemId }
            return cart.count != before
        default:
            return false
        }
    }
}
