/// A record of the app's `item-catalog` topic (compacted, key itemId):
/// `{"itemId":"i9","categoryId":"c3","creatorId":"cr7", ...other attributes}`. The category lets the ranker place
/// items that have no events yet; the creator feeds the `creators` surface.
public enum CatalogEntry {
    /// The entry as an item-table row with no popularity; nil when the record has no usable item id.
    public static func decode(_ value: [UInt8], key: [UInt8]?) -> ItemTableRow? {
        let members = value.withUnsafeBytes { raw in
            var parser = FlatJSONParser(raw)
            return try? parser.parseObject(wanted: ["itemId", "categoryId", "creatorId"])
        }
        guard let members else { return nil }
        var itemId = key.map { String(decoding: $0, as: UTF8.self) }
        switch members["itemId"] {
        case .string(let text)?: itemId = text
        case .integer(let number)?: itemId = String(number)
        default: break
        }
        func text(_ name: String) -> String? {
            switch members[name] {
            case .string(let text)?: text
            case .integer(let number)?: String(number)
            default: nil
            }
        }
        guard let itemId, !itemId.isEmpty else { return nil }
        return ItemTableRow(
            itemId: itemId, categoryId: text("categoryId"), creatorId: text("creatorId"), score: 0, updatedAt: 0)
    }
}
