/// What the ranking knows about an item it may recommend: its attributes and its normalised score from each
/// candidate source (each in 0...1; 0 when the source did not propose it), with what made each source propose it.
public struct Candidate: Sendable, Equatable {
    public let itemId: String
    /// `itemId`'s hash, as the item table computed it (`RelatedItem.hash`): the pool's index key.
    let hash: Int
    public var categoryId: String?
    public var creatorId: String?
    /// `categoryId` and `creatorId` hashed for the ranking features, as the item table stores them (nil: hashed when
    /// needed).
    var featureHashes: ItemFeatureHashes?
    /// CF: similarity to the user's recent items, weighted by behaviour and recency.
    public var cf = 0.0
    var cfVia: Interaction?
    /// The position among the feed's seeds of the strongest CF contribution, -1 before any (see `addCF`).
    var cfViaSeed = -1
    var cfViaWeight = 0.0
    /// Cart complements: co-cart / co-purchase similarity to the items in the open cart.
    public var cart = 0.0
    var cartVia: String?
    var cartViaWeight = 0.0
    /// Content: popularity within the user's strong categories, times the category's share of interest.
    public var content = 0.0
    var contentShare = 0.0
    /// Trending: growth of the last window, in the user's categories (weighted by interest) or overall (halved).
    public var trending = 0.0
    var trendingIn: String?
    /// Popular: overall popularity relative to the chart's top.
    public var popular = 0.0
    /// The user's interest share in the item's category (a learned-ranker feature, whatever the source).
    public var interestShare = 0.0

    init(itemId: String, hash: Int) { (self.itemId, self.hash) = (itemId, hash) }

    public func blendScore(_ weights: BlendWeights) -> Double {
        weights.cf * cf + weights.content * content + weights.cart * cart + weights.trending * trending
            + weights.popular * popular
    }

    /// The source that contributes most to the blend: the item's `source`, and its reason.
    public func strongestSource(_ weights: BlendWeights) -> String {
        BlendWeights.names[strongestSourceIndex(weights)]
    }

    /// `strongestSource`'s position in `BlendWeights.names`: what the ranking features take, per candidate of every
    /// feed, without finding a name among names.
    func strongestSourceIndex(_ weights: BlendWeights) -> Int {
        // Compared one by one, not through an array of pairs: this runs per candidate of every feed.
        // Ties (e.g. everything 0 with zero weights) go to the earlier, more personal source.
        var (best, strongest) = (0, weights.cf * cf)
        if weights.cart * cart > strongest { (best, strongest) = (2, weights.cart * cart) }
        if weights.content * content > strongest { (best, strongest) = (1, weights.content * content) }
        if weights.trending * trending > strongest { (best, strongest) = (3, weights.trending * trending) }
        if weights.popular * popular > strongest { best = 4 }
        return best
    }

    /// Why the source proposed it: `"viewed similar: i42"`, `"trending in c7"`, `"in your cart: i9"`, ...
    public func reason(for source: String) -> Reason {
        switch source {
        case "cf": cfVia.map { .similar(to: $0.itemId, $0.behavior) } ?? .similarToRecent
        case "cart": cartVia.map { .inCart($0) } ?? .goesWithCart
        case "content": .popularIn(category: categoryId, percentOfInterest: Reason.percent(contentShare))
        case "trending": trendingIn.map { .trendingIn($0) } ?? .trendingNow
        default: .popularOverall
        }
    }
}
