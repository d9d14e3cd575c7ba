import Recommender

/// MovieLens ratings as behaviour events, from RecBole's atomic files of ML-100K (`ml-100k.inter`:
/// `user_id:token, item_id:token, rating:float, timestamp:float`; `ml-100k.item`: `item_id:token,
/// movie_title:token_seq, release_year:token, class:token_seq` — tab-separated, a header line naming the columns).
/// A rating of `positiveRating` or more is a `purchase` (the purchase-like positive), anything lower a `view`; an
/// item's first genre is its category; seconds become milliseconds; events come out in time order.
public enum MovieLensConverter {
    public static let defaultPositiveRating = 4.0

    /// Item id → first genre, from the item file.
    public static func firstGenres(itemFile text: String) throws(MovieLensFormatError) -> [String: String] {
        let table = try AtomicFile(text, file: "item")
        let (item, genres) = (try table.column("item_id"), try table.column("class"))
        var categories: [String: String] = [:]
        for row in table.rows {
            guard let first = row[genres].split(separator: " ").first else { continue }
            categories[String(row[item])] = String(first)
        }
        return categories
    }

    /// The interactions as events in time order (ratings of the same second in file order).
    public static func events(
        interactionFile text: String, categories: [String: String], positiveRating: Double = defaultPositiveRating
    ) throws(MovieLensFormatError) -> [BehaviorEvent] {
        let table = try AtomicFile(text, file: "inter")
        let columns = (
            user: try table.column("user_id"), item: try table.column("item_id"), rating: try table.column("rating"),
            time: try table.column("timestamp")
        )
        var events: [BehaviorEvent] = []
        events.reserveCapacity(table.rows.count)
        for (index, row) in table.rows.enumerated() {
            guard let rating = Double(row[columns.rating]), let seconds = Double(row[columns.time]) else {
                throw MovieLensFormatError("inter line \(index + 2): rating and timestamp must be numbers")
            }
            let item = String(row[columns.item])
            events.append(
                BehaviorEvent(
                    userId: String(row[columns.user]), itemId: item,
                    behavior: rating >= positiveRating ? .purchase : .view, timestamp: Int64(seconds * 1_000),
                    categoryId: categories[item]))
        }
        return EvaluationInput(events: events).inTimeOrder()
    }

    /// A StreamRec event CSV (`userId,itemId,categoryId,behavior,timestamp`), one line per event.
    public static func csv(_ events: [BehaviorEvent]) -> String {
        var text = ""
        text.reserveCapacity(events.count * 32)
        for event in events {
            text += String(decoding: EventCodec.encodeCSV(event), as: UTF8.self)
            text += "\n"
        }
        return text
    }

    /// A tab-separated file whose header names each column `name:type`.
    struct AtomicFile {
        let file: String
        let header: [Substring]
        let rows: [[Substring]]

        init(_ text: String, file: String) throws(MovieLensFormatError) {
            self.file = file
            var lines = text.split(whereSeparator: \.isNewline)
            guard !lines.isEmpty else { throw MovieLensFormatError("\(file) file: empty") }
            header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false)
            var rows: [[Substring]] = []
            rows.reserveCapacity(lines.count)
            for (index, line) in lines.enumerated() {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard fields.count == header.count else {
                    throw MovieLensFormatError(
                        "\(file) line \(index + 2): \(fields.count) tab-separated fields, the header has \(header.count)"
                    )
                }
                rows.append(fields)
            }
            self.rows = rows
        }

        func column(_ name: String) throws(MovieLensFormatError) -> Int {
            guard let index = header.firstIndex(where: { $0.split(separator: ":").first.map(String.init) == name })
            else {
                throw MovieLensFormatError(
                    "\(file) file: no column '\(name)' in the header (\(header.joined(separator: ", ")))")
            }
            return index
        }
    }
}

public struct MovieLensFormatError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
