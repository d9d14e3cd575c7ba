import Foundation

/// A user's interest per category: behaviour weights that halve every `halfLife` ms of event time, so the profile
/// follows a user whose session drifts from one category to another.
public struct CategoryInterest: Sendable {
    public let halfLife: Double
    public let maxCategories: Int
    // Bound: `maxCategories` entries; the weakest is dropped to admit a new one.
    private var weights: [String: Double] = [:]
    private var asOf: Int64 = .min

    public init(halfLife: Int64, maxCategories: Int) {
        precondition(halfLife > 0 && maxCategories > 0, "half-life and category bound must be positive")
        self.halfLife = Double(halfLife)
        self.maxCategories = maxCategories
    }

    public mutating func add(category: String, weight: Double, at time: Int64) {
        decay(to: time)
        if weights[category] == nil, weights.count >= maxCategories,
            let weakest = weights.min(by: { ($0.value, $0.key) < ($1.value, $1.key) })
        {
            weights[weakest.key] = nil
        }
        weights[category, default: 0] += weight
    }

    /// The strongest categories with their share of the total interest (shares sum to at most 1).
    public func top(_ count: Int) -> [(category: String, share: Double)] {
        let total = weights.values.reduce(0, +)
        guard total > 0 else { return [] }
        return weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(count).map {
            ($0.key, $0.value / total)
        }
    }

    private mutating func decay(to time: Int64) {
        guard time > asOf else { return }
        if asOf != .min {
            let factor = exp2(-Double(time - asOf) / halfLife)
            for key in weights.keys { weights[key]! *= factor }
        }
        asOf = time
    }
}
