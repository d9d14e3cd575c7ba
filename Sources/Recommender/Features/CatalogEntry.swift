/// A record of the app's `item-catalog` topic (compacted, key itemId):
/// `{"itemId":"i9","categoryId":"c3", ...other attributes}`. Only the category is used for now: it lets the
/// ranker place items that have no events yet.
public enum CatalogEntry {
    /// The entry as an item-table row with no popularity; nil when the record has no usable item id.
    public static func decode(_ value: [UInt8], key: [UInt8]?) -> ItemTableRow? {
        let members = value.withUnsafeBytes { raw in
            var parser = FlatJSONParser(raw)
            return try? parser.parseObject(wanted: ["itemId", "categoryId"])
        }
        guard let members else { return nil }
        var itemId = key.map { String(decoding: $0, as: UTF8.self) }
        switch members["itemId"] {
        case .string(let text)?: itemId = text
        case .integer(let number)?: itemId = String(number)
        default: break
        }
        var category: String?
        switch members["categoryId"] {
        case .string(let text)?: category = text
        case .integer(let number)?: category = String(number)
        default: break
        }
        guard let itemId, !itemId.isEmpty else { return nil }
        return ItemTableRow(itemId: itemId, categoryId: category, score: 0, updatedAt: 0)
    }
}
