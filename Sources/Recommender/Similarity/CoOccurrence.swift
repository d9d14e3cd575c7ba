import StreamEngine

/// One half of a co-occurrence pair on its way to an item task: "a user who acted on the record's item also acted on
/// `itemId`", with how much that counts.
public struct CoOccurrence: Sendable, Equatable {
    public var itemId: String
    /// sqrt(weight of one behaviour × weight of the other): a co-purchase counts more than a co-view.
    public var weight: Double
    /// Both behaviours were cart or purchase: the pair also counts for cart complements.
    public var isConversion: Bool

    public init(itemId: String, weight: Double, isConversion: Bool) {
        self.itemId = itemId
        self.weight = weight
        self.isConversion = isConversion
    }

    /// The header that carries pairs on the item shuffle: on an event record (the pairs of the event's item with the
    /// user's recent items), or on a value-less record keyed by a recent item (its pair with the event's item; what
    /// versions before `pairedHeader` sent, still read).
    public static let header = "streamrec-co"

    /// The header of the other halves of an event's pairs, one record per shuffle partition: value-less, keyed by the
    /// event's item, each pair naming the recent item whose counts it moves. One record per pair made an event 21
    /// shuffle records at `--co-occurrence-items 20` — most of the shuffle's records, allocations and broker traffic.
    public static let pairedHeader = "streamrec-co-with"

    package static func encode(_ pairs: [CoOccurrence]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 4 + pairs.count * 16)
        writer.write(pairs.count)
        for pair in pairs {
            writer.write(pair.itemId)
            writer.write(pair.weight)
            writer.write(pair.isConversion)
        }
        return writer.bytes
    }

    package static func decode(_ bytes: [UInt8]) throws(CheckpointDecodingError) -> [CoOccurrence] {
        var reader = BinaryReader(bytes)
        var pairs: [CoOccurrence] = []
        for _ in 0..<(try reader.readCount()) {
            pairs.append(
                CoOccurrence(
                    itemId: try reader.readString(), weight: try reader.readDouble(),
                    isConversion: try reader.readBool()))
        }
        return pairs
    }

    /// The pairs a user's event forms with their recent history: the `limit` most recent distinct other items acted
    /// on within `window` before it (TencentRec-style incremental item-CF: only recent co-actions count, and a
    /// user's long past does not pair with everything they do).
    package static func pairs(
        of event: BehaviorEvent, with history: RecentHistory, limit: Int, window: Int64, weights: BehaviorWeights
    ) -> [CoOccurrence] {
        guard limit > 0 else { return [] }
        var pairs: [CoOccurrence] = []
        let weight = weights[event.behavior]
        for interaction in history.newestFirst {
            if pairs.count == limit || event.timestamp - interaction.timestamp > window { break }
            guard interaction.itemId != event.itemId, !pairs.contains(where: { $0.itemId == interaction.itemId })
            else { continue }
            pairs.append(
                CoOccurrence(
                    itemId: interaction.itemId, weight: (weight * weights[interaction.behavior]).squareRoot(),
                    isConversion: event.behavior.isConversion && interaction.behavior.isConversion))
        }
        return pairs
    }
}

extension Behavior {
    /// Cart and purchase: the behaviours whose pairs make cart complements.
    var isConversion: Bool { self == .cart || self == .purchase }
}

/// How `similar` lists name themselves.
enum ItemCFNames {
    /// The `model` of a `similar` list: decayed co-occurrence, cosine-normalised.
    package static let model = "item-cf"
}

extension Recommendation {
    /// An item page's `similar` list: the item's CF neighbours as its item-table row has them.
    public static func similar(to row: ItemTableRow, at time: Int64, limit: Int = .max) -> Recommendation {
        Recommendation(
            surface: .similar, subject: row.itemId, generatedAt: time, trigger: .neighboursChanged,
            model: ItemCFNames.model,
            items: row.neighbours.prefix(limit).map { neighbour in
                ScoredItem(
                    itemId: neighbour.itemId, categoryId: nil, score: neighbour.similarity, source: "cf",
                    because: .viewedTogether(with: row.itemId))
            })
    }
}
