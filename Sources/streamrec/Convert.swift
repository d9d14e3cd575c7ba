import ArgumentParser
import Evaluation
import Foundation
import Recommender

/// `streamrec convert`: public data sets into the StreamRec event CSV that `produce`, `replay` and `evaluate` read.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert MovieLens (RecBole atomic files) into the StreamRec event CSV, in time order.",
        discussion: """
            Ratings at or above --positive-rating become purchases (the positives), the others views; an item's \
            first genre is its category; timestamps become milliseconds.
            """)

    @Argument(help: "Ratings file (ml-100k.inter).") var ratings: String
    @Option(help: "Item file (ml-100k.item), for the categories.") var items: String
    @Option(help: "Output CSV (userId,itemId,categoryId,behavior,timestamp).") var output: String
    @Option(help: "Ratings at or above this are purchases, the rest views.")
    var positiveRating = MovieLensConverter.defaultPositiveRating

    func run() throws {
        let events = try MovieLensConverter.events(
            interactionFile: try fileText(ratings),
            categories: try MovieLensConverter.firstGenres(itemFile: try fileText(items)),
            positiveRating: positiveRating)
        try MovieLensConverter.csv(events).write(toFile: output, atomically: true, encoding: .utf8)
        let positives = events.count { $0.behavior == .purchase }
        print("wrote \(events.count) events (\(positives) purchases) to \(output)")
    }
}

/// A whole (small) file as UTF-8 text; a missing one is a usage error that names it.
func fileText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    return String(decoding: data, as: UTF8.self)
}
