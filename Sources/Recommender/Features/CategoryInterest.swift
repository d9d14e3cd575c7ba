import Foundation
import StreamEngine

/// A user's interest per category: behaviour weights that halve every `halfLife` ms of event time, so the profile
/// follows a user whose session drifts from one category to another.
///
/// Forward decay: a weight added at time t is stored scaled by 2^((t − landmark)/halfLife), so adding is O(1) (no pass
/// over every category per event) and all stored weights stay comparable; shares, the only thing read, do not need
/// the scale at all. The landmark moves before the scale grows past 2^64.
public struct CategoryInterest: Sendable {
    public let halfLife: Double
    public let maxCategories: Int
    // Bound: `maxCategories` entries; the weakest is dropped to admit a new one.
    private var weights: [String: Double] = [:]
    private var landmark: Int64 = .min

    public init(halfLife: Int64, maxCategories: Int) {
        precondition(halfLife > 0 && maxCategories > 0, "half-life and category bound must be positive")
        self.halfLife = Double(halfLife)
        self.maxCategories = maxCategories
    }

    public mutating func add(category: String, weight: Double, at time: Int64) {
        if landmark == .min { landmark = time }
        var scale = exp2((Double(time) - Double(landmark)) / halfLife)
        if scale > 0x1p64 {
            for key in weights.keys { weights[key]! /= scale }
            landmark = time
            scale = 1
        }
        if weights[category] == nil, weights.count >= maxCategories,
            let weakest = weights.min(by: { ($0.value, $0.key) < ($1.value, $1.key) })
        {
            weights[weakest.key] = nil
        }
        weights[category, default: 0] += weight * scale
    }

    /// The strongest categories with their share of the total interest (shares sum to at most 1).
    public func top(_ count: Int) -> [(category: String, share: Double)] {
        top(count) { ($0, $1) }
    }

    /// The strongest category, `top(1).first?.category` without its array: per list, for the ranking features.
    public var strongest: String? {
        weights.withRankedEntries { ranked in
            ranked.reduce(0) { $0 + $1.value } > 0 ? ranked.first?.key : nil
        }
    }

    /// `top` as the `interest` of window features, made straight into the result's array (a window closes per
    /// event or so in a features-only replay; mapping `top`'s tuples was one more array per window).
    public func topShares(_ count: Int) -> [WeightedCategory] {
        top(count) { WeightedCategory(category: $0, weight: $1) }
    }

    /// `top`, each (category, share) made into `entry` straight into the result's array.
    package func top<Entry>(_ count: Int, _ entry: (String, Double) -> Entry) -> [Entry] {
        // Summed in a fixed order: a dictionary's order differs between processes and after a restore, and a
        // floating-point sum in another order can differ in its last bit — and so would the output.
        // At most `maxCategories` (20 by default) are ranked: an insertion sort, no scratch.
        weights.withRankedEntries { ranked in
            let total = ranked.reduce(0) { $0 + $1.value }
            guard total > 0 else { return [] }
            return ranked.prefix(count).map { entry($0.key, $0.value / total) }
        }
    }

    package func encode(to writer: inout BinaryWriter) {
        writer.write(landmark)
        writer.write(weights.count)
        for (category, weight) in weights.sorted(by: { $0.key < $1.key }) {
            writer.write(category)
            writer.write(weight)
        }
    }

    /// Fills a new profile (made with the deployment's settings) from a checkpoint.
    package mutating func restore(from reader: inout BinaryReader) throws(CheckpointDecodingError) {
        landmark = try reader.readInt64()
        for _ in 0..<(try reader.readCount()) {
            weights[try reader.readString()] = try reader.readDouble()
        }
    }
}
