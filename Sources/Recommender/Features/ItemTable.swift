import Synchronization

/// One row of the global item table (`<app>-item-table`, compacted, key itemId): what an item task knows about its
/// item, published so that every user task of every instance can rank any item.
public struct ItemTableRow: Sendable, Equatable {
    public var itemId: String
    public var categoryId: String?
    /// Behaviour-weighted events of the item so far. Only grows, which keeps the per-category charts exact.
    public var score: Double
    /// Event time of the newest event counted.
    public var updatedAt: Int64

    public init(itemId: String, categoryId: String?, score: Double, updatedAt: Int64) {
        self.itemId = itemId
        self.categoryId = categoryId
        self.score = score
        self.updatedAt = updatedAt
    }

    public func encodeJSON() -> [UInt8] {
        var json = JSONWriter(capacity: 96)
        json.beginObject()
        json.field("itemId", itemId)
        if let categoryId { json.field("categoryId", categoryId) }
        json.field("score", score)
        json.field("updatedAt", updatedAt)
        json.endObject()
        return json.bytes
    }

    public static func decode(_ bytes: [UInt8]) -> ItemTableRow? {
        let members = bytes.withUnsafeBytes { raw in
            var parser = FlatJSONParser(raw)
            return try? parser.parseObject(wanted: ["itemId", "categoryId", "score", "updatedAt"])
        }
        guard let members, case .string(let itemId)? = members["itemId"],
            case .integer(let updatedAt)? = members["updatedAt"]
        else { return nil }
        let score: Double
        switch members["score"] {
        case .integer(let value)?: score = Double(value)
        case .fraction(let value)?: score = value
        default: return nil
        }
        var category: String?
        if case .string(let text)? = members["categoryId"] { category = text }
        return ItemTableRow(itemId: itemId, categoryId: category, score: score, updatedAt: updatedAt)
    }
}

/// The local copy of the global item table that rankers read: like a Kafka Streams GlobalKTable, every instance
/// holds all of it. Filled from `<app>-item-table` (or, in a single process, straight from the item tasks); read by
/// every lane, hence the lock — the only state lanes share.
public final class ItemTable: Sendable {
    private let popularity: Mutex<ItemPopularity>

    public init(maxItems: Int) {
        popularity = Mutex(ItemPopularity(maxItems: maxItems))
    }

    public func apply(_ row: ItemTableRow) {
        popularity.withLock { $0.apply(row) }
    }

    /// Runs `body` with the table; keep it short, lanes wait for it.
    public func read<R: Sendable>(_ body: (borrowing ItemPopularity) -> R) -> R {
        popularity.withLock { body($0) }
    }

    public var itemCount: Int { popularity.withLock { $0.itemCount } }
    public var evictions: Int { popularity.withLock { $0.evictions } }
}
