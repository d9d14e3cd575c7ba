/// One recommended item with why it was chosen.
public struct ScoredItem: Sendable, Equatable {
    public var itemId: String
    public var categoryId: String?
    public var score: Double
    /// Which candidate source produced it: "category-popularity", "global-popularity", ...
    public var source: String
    /// A sentence a product team can show or log.
    public var reason: String
}

/// A ranked list for one user — the `recommendations` record.
public struct Recommendation: Sendable, Equatable {
    public var userId: String
    /// Event time of the interaction that caused this list.
    public var generatedAt: Int64
    public var triggerItemId: String
    public var triggerBehavior: Behavior
    /// The ranking model that produced the list; versioned models arrive with the model registry.
    public var model: String
    public var items: [ScoredItem]

    public func encodeJSON() -> [UInt8] {
        var json = JSONWriter(capacity: 128 + items.count * 96)
        json.beginObject()
        json.field("userId", userId)
        json.field("generatedAt", generatedAt)
        json.key("trigger")
        json.beginObject()
        json.field("itemId", triggerItemId)
        json.field("behavior", triggerBehavior.rawValue)
        json.endObject()
        json.field("model", model)
        json.key("items")
        json.beginArray()
        for item in items {
            json.beginObject()
            json.field("itemId", item.itemId)
            if let category = item.categoryId { json.field("categoryId", category) }
            json.field("score", item.score)
            json.field("source", item.source)
            json.field("reason", item.reason)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
