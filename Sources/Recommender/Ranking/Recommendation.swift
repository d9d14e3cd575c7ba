/// Where a list is shown, and so what it is keyed by and what its entries are.
public enum Surface: String, Sendable, CaseIterable, Equatable {
    /// The user's feed: items. Key userId.
    case personalized
    /// An item page's "similar items": items. Key itemId.
    case similar
    /// Complements of the user's open cart: items. Key userId.
    case cart
    /// Categories to follow: category ids. Key userId.
    case topics
    /// Creators to follow: creator ids. Key userId.
    case creators

    /// The JSON name of an entry's id.
    var entryKey: StaticString {
        switch self {
        case .personalized, .similar, .cart: "itemId"
        case .topics: "categoryId"
        case .creators: "creatorId"
        }
    }
}

/// One recommended entry (an item, a category or a creator, as the surface says) with why it was chosen.
public struct ScoredItem: Sendable, Equatable {
    public var itemId: String
    public var categoryId: String?
    public var score: Double
    /// Which candidate source produced it: "cf", "content", "trending", "popular", "cart", "interest", ...
    public var source: String
    /// Why it was chosen, as parts; `reason` is the sentence.
    public var explanation: Reason
    /// A sentence a product team can show or log.
    public var reason: String { explanation.text }

    public init(itemId: String, categoryId: String?, score: Double, source: String, because explanation: Reason) {
        self.itemId = itemId
        self.categoryId = categoryId
        self.score = score
        self.source = source
        self.explanation = explanation
    }

    public init(itemId: String, categoryId: String?, score: Double, source: String, reason: String) {
        self.init(itemId: itemId, categoryId: categoryId, score: score, source: source, because: .text(reason))
    }
}

/// What made a list: a user's event, a window closing, an item's neighbours changing.
public enum RecommendationTrigger: Sendable, Equatable {
    case event(itemId: String, behavior: Behavior)
    case windowClosed(windowEnd: Int64)
    case neighboursChanged
}

/// A ranked list — the `recommendations` record.
public struct Recommendation: Sendable, Equatable {
    public var surface: Surface
    /// The user (or, for `similar`, the item) the list is for; the record's key.
    public var subject: String
    /// Event time of what caused this list.
    public var generatedAt: Int64
    public var trigger: RecommendationTrigger
    /// The model version that ranked it (a learned version from `recsys-models`, or the hand-written blend).
    public var model: String
    public var items: [ScoredItem]

    public init(
        surface: Surface, subject: String, generatedAt: Int64, trigger: RecommendationTrigger, model: String,
        items: [ScoredItem]
    ) {
        self.surface = surface
        self.subject = subject
        self.generatedAt = generatedAt
        self.trigger = trigger
        self.model = model
        self.items = items
    }

    public func encodeJSON() -> [UInt8] {
        // An item with its reason takes up to ~160 bytes: with 96, a third of a replay's lists grew their buffer.
        var json = JSONWriter(capacity: 192 + items.count * 160)
        json.beginObject()
        json.field("surface", surface.rawValue)
        if surface == .similar { json.field("itemId", subject) } else { json.field("userId", subject) }
        json.field("generatedAt", generatedAt)
        json.key("trigger")
        json.beginObject()
        switch trigger {
        case .event(let itemId, let behavior):
            json.field("kind", "event")
            json.field("itemId", itemId)
            json.field("behavior", behavior.rawValue)
        case .windowClosed(let windowEnd):
            json.field("kind", "window")
            json.field("windowEnd", windowEnd)
        case .neighboursChanged:
            json.field("kind", "neighbours")
        }
        json.endObject()
        json.field("model", model)
        json.key("items")
        json.beginArray()
        for item in items {
            json.beginObject()
            json.field(surface.entryKey, item.itemId)
            if surface != .topics, let category = item.categoryId { json.field("categoryId", category) }
            json.field("score", item.score)
            json.field("source", item.source)
            json.key("reason")
            json.value(item.explanation)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
