import StreamEngine
import Synchronization

/// An item and how strongly it relates to another: a CF neighbour or a cart complement.
public struct RelatedItem: Sendable, Equatable {
    public let itemId: String
    public var similarity: Double
    /// `itemId`'s hash, computed once when the row is built or decoded: candidate generation looks every stored
    /// neighbour up in its pool, and hashing the id there each time was its largest cost.
    package let hash: Int

    public init(itemId: String, similarity: Double) {
        self.itemId = itemId
        self.similarity = similarity
        hash = itemId.hashValue
    }

    /// With `itemId`'s hash already at hand (`hash` must be `itemId.hashValue`).
    package init(itemId: String, similarity: Double, hash: Int) {
        (self.itemId, self.similarity, self.hash) = (itemId, similarity, hash)
    }
}

/// One row of the global item table (`<app>-item-table`, compacted, key itemId): what an item task knows about its
/// item, published so that every user task of every instance can rank any item. Binary (`encode`/`decode`): the
/// topic is internal and every instance decodes every row.
public struct ItemTableRow: Sendable, Equatable {
    public var itemId: String
    public var categoryId: String?
    /// From the catalog: who made the item (a content platform's creator, a shop's brand).
    public var creatorId: String?
    /// Behaviour-weighted events of the item so far. Only grows, which keeps the per-category charts exact.
    public var score: Double
    /// Event time of the newest event counted.
    public var updatedAt: Int64
    /// Behaviour-weighted events decayed to `updatedAt` (half-life `coOccurrenceHalfLife`): the popularity that
    /// normalises co-occurrence into similarity.
    public var recentScore: Double = 0
    /// Growth of the last closed 10-minute window over the one before (weighted events); the trending signal.
    public var trend: Double = 0
    /// End of the window `trend` belongs to; `.min` when no window closed yet.
    public var trendWindowEnd: Int64 = .min
    /// Top item-to-item CF neighbours, most similar first.
    public var neighbours: [RelatedItem] = []
    /// Top co-cart / co-purchase neighbours, most similar first.
    public var complements: [RelatedItem] = []

    public init(
        itemId: String, categoryId: String?, creatorId: String? = nil, score: Double, updatedAt: Int64
    ) {
        self.itemId = itemId
        self.categoryId = categoryId
        self.creatorId = creatorId
        self.score = score
        self.updatedAt = updatedAt
    }

    static let formatVersion = 1

    public func encode() -> [UInt8] {
        // At least the size (varints: at most 10 bytes a number): a row per item event is encoded, and the old
        // estimate, 16 bytes per related item without its id, grew the buffer once or twice per row.
        func size(_ list: [RelatedItem]) -> Int { list.reduce(10) { $0 + 20 + $1.itemId.utf8.count } }
        let strings = itemId.utf8.count + (categoryId?.utf8.count ?? 0) + (creatorId?.utf8.count ?? 0)
        var writer = BinaryWriter(capacity: 96 + strings + size(neighbours) + size(complements))
        writer.write(Self.formatVersion)
        writer.write(itemId)
        writer.write(categoryId)
        writer.write(creatorId)
        writer.write(score)
        writer.write(updatedAt)
        writer.write(recentScore)
        writer.write(trend)
        writer.write(trendWindowEnd)
        func write(_ list: [RelatedItem]) {
            writer.write(list.count)
            for related in list {
                writer.write(related.itemId)
                writer.write(related.similarity)
            }
        }
        write(neighbours)
        write(complements)
        return writer.bytes
    }

    /// Nil for bytes that are not a row of this format (the table skips them).
    public static func decode(_ bytes: [UInt8]) -> ItemTableRow? {
        var reader = BinaryReader(bytes)
        func read() throws(CheckpointDecodingError) -> ItemTableRow {
            guard try reader.readInt() == formatVersion else { throw .invalid("item-table row format") }
            var row = ItemTableRow(
                itemId: try reader.readString(), categoryId: try reader.readOptionalString(),
                creatorId: try reader.readOptionalString(), score: try reader.readDouble(),
                updatedAt: try reader.readInt64())
            row.recentScore = try reader.readDouble()
            row.trend = try reader.readDouble()
            row.trendWindowEnd = try reader.readInt64()
            // Reserved at the count read (bounded by the bytes left), appended without key paths: a row per item
            // event is decoded, and growing the lists was one or two allocations each.
            func readList() throws(CheckpointDecodingError) -> [RelatedItem] {
                let count = try reader.readCount()
                var list: [RelatedItem] = []
                list.reserveCapacity(count)
                for _ in 0..<count {
                    list.append(RelatedItem(itemId: try reader.readString(), similarity: try reader.readDouble()))
                }
                return list
            }
            row.neighbours = try readList()
            row.complements = try readList()
            return row
        }
        return try? read()
    }
}

/// In process, a row goes to the local table typed; its bytes on the table topic are `encode()`'s.
extension ItemTableRow: TypedValue {
    public func encoded() -> [UInt8] { encode() }
}

/// The local copy of the global item table that rankers read: like a Kafka Streams GlobalKTable, every instance
/// holds all of it. Filled from `<app>-item-table` (or, in a single process, straight from the item tasks); read by
/// every lane, hence the lock — the only state lanes share.
public final class ItemTable: Sendable {
    private let popularity: Mutex<ItemPopularity>

    /// `keepsCharts` off: rows and categories only, for where nothing ranks (see `ItemPopularity.keepsCharts`).
    public init(maxItems: Int, trendMaxAge: Int64 = 20 * 60_000, keepsCharts: Bool = true) {
        popularity = Mutex(ItemPopularity(maxItems: maxItems, trendMaxAge: trendMaxAge, keepsCharts: keepsCharts))
    }

    /// A table whose trends span two item windows.
    public convenience init(maxItems: Int, itemWindow: Int64, keepsCharts: Bool = true) {
        self.init(maxItems: maxItems, trendMaxAge: 2 * itemWindow, keepsCharts: keepsCharts)
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
