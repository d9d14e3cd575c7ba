import Foundation
import Recommender

/// The JSON bodies of the HTTP API that are not stored results: items from the item table every instance holds,
/// the model registry, errors — and the `n` cut of a stored list.
public enum ServingAnswers {
    /// An item's CF neighbours from its item-table row: the entries its latest `similar` list has.
    public static func similar(_ row: ItemTableRow, n: Int) -> [UInt8] {
        Recommendation.similar(to: row, at: row.updatedAt, limit: n).encodeJSON()
    }

    /// An item's features as the item table holds them now.
    public static func features(_ row: ItemTableRow) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("itemId", row.itemId)
        if let category = row.categoryId { json.field("categoryId", category) }
        if let creator = row.creatorId { json.field("creatorId", creator) }
        json.field("score", row.score)
        json.field("recentScore", row.recentScore)
        json.field("trend", row.trend)
        if row.trendWindowEnd != .min { json.field("trendWindowEnd", row.trendWindowEnd) }
        json.field("updatedAt", row.updatedAt)
        for (name, related) in [("neighbours", row.neighbours), ("complements", row.complements)] {
            json.dynamicKey(name)
            json.beginArray()
            for item in related {
                json.beginObject()
                json.field("itemId", item.itemId)
                json.field("score", item.similarity)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        return json.bytes
    }

    /// The registry: which version ranks (active, canary and its share), whether an operator pinned it, the
    /// rollback history and the versions this instance holds.
    public static func models(_ registry: ModelRegistry) -> [UInt8] {
        let control = registry.control
        var json = JSONWriter()
        json.beginObject()
        optional(&json, "active", registry.selection.active?.version)
        optional(&json, "canary", registry.selection.canary?.version)
        json.field("canaryShare", registry.selection.canaryShare)
        json.key("pinned")
        json.value(control.pinned)
        json.key("history")
        json.beginArray()
        control.history.forEach { json.value($0) }
        json.endArray()
        json.key("versions")
        json.beginArray()
        for name in registry.versionNames {
            guard let version = registry.version(named: name) else { continue }
            json.beginObject()
            json.field("version", version.version)
            json.field("createdAt", version.createdAt)
            json.field("trainedExamples", version.trainedExamples)
            if let logLoss = version.logLoss { json.field("logLoss", logLoss) }
            if let auc = version.auc { json.field("auc", auc) }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }

    /// `{"error": …, "status": …}`: what every non-2xx answer carries.
    public static func error(_ message: String, status: Int) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.field("error", message)
        json.field("status", status)
        json.endObject()
        return json.bytes
    }

    /// A stored list with only its first `n` entries (the stored JSON itself when it has no more). Lists have at
    /// most `listLength` entries, so the usual request (`n` ≥ the list length) costs no parsing.
    public static func first(_ n: Int, of list: [UInt8], listLength: Int) -> [UInt8] {
        guard n < listLength, var object = (try? JSONSerialization.jsonObject(with: Data(list))) as? [String: Any],
            let entries = object["items"] as? [Any], entries.count > n
        else { return list }
        object["items"] = Array(entries.prefix(n))
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { Array($0) } ?? list
    }

    private static func optional(_ json: inout JSONWriter, _ name: StaticString, _ text: String?) {
        json.key(name)
        if let text { json.value(text) } else { json.null() }
    }
}
