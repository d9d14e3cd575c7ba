import Evaluation
import Recommender

/// The item table of the issue-17 catalogue without running the pipeline for minutes to fill it: 50 000 items with
/// Zipf popularity (s = 1), 500 categories (item i<n> in c<n % 500>), each with 20 CF neighbours and 5 complements
/// drawn from the same Zipf distribution, as co-occurrence favours popular partners. Deterministic (seeded).
enum ScaleTable {
    static let items = 50_000
    static let categories = 500

    static func make(at time: Int64) -> ItemTable {
        let table = ItemTable(maxItems: 200_000, itemWindow: 600_000)
        var random = SeededRandom(seed: 17)
        let zipf = ZipfSampler(count: items, exponent: 1)
        func related(_ count: Int, of item: Int) -> [RelatedItem] {
            var chosen: [Int] = []
            while chosen.count < count {
                let other = zipf.sample(using: &random)
                if other != item, !chosen.contains(other) { chosen.append(other) }
            }
            return chosen.enumerated().map { RelatedItem(itemId: "i\($1)", similarity: 0.5 / Double($0 + 1)) }
        }
        for item in 0..<items {
            let popularity = 100_000 / Double(item + 1)
            var row = ItemTableRow(
                itemId: "i\(item)", categoryId: "c\(item % categories)", score: popularity, updatedAt: time)
            row.recentScore = popularity
            row.trend = random.unit() * popularity / 10
            row.trendWindowEnd = time
            row.neighbours = related(20, of: item)
            row.complements = related(5, of: item)
            table.apply(row)
        }
        return table
    }

    /// A user's history on the same catalogue: `count` views of Zipf-drawn items, one second apart, ending at `time`.
    static func history(count: Int, endingAt time: Int64) -> [BehaviorEvent] {
        var random = SeededRandom(seed: 23)
        let zipf = ZipfSampler(count: items, exponent: 1)
        return (0..<count).map { index in
            let item = zipf.sample(using: &random)
            return BehaviorEvent(
                userId: "u-bench", itemId: "i\(item)", behavior: .view,
                timestamp: time - Int64(count - index) * 1_000, categoryId: "c\(item % categories)")
        }
    }
}
