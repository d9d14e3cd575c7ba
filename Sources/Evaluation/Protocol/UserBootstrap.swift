import Recommender

/// Intervals for a strategy's figures by the bootstrap over users: a user's points are not independent (the same
/// history ranks them all), so users, not points, are resampled, each keeping all of their points. Keeps, per user,
/// points, hits and gains; the interval is 1.96 standard deviations of the resampled figure (a 95 % interval under
/// normality), from a fixed seed so a rerun prints the same ±.
public struct UserBootstrap: Sendable {
    /// Per user, in order of first evaluation point. Bound: the input's distinct users.
    private var points: [Double] = []
    private var hits: [Double] = []
    private var gains: [Double] = []
    private var index: [String: Int] = [:]

    public static let samples = 500
    static let seed: UInt64 = 18

    public init() {}

    public mutating func record(user: String, hit: Bool, gain: Double) {
        let position: Int
        if let known = index[user] {
            position = known
        } else {
            position = points.count
            index[user] = position
            points.append(0)
            hits.append(0)
            gains.append(0)
        }
        points[position] += 1
        if hit { hits[position] += 1 }
        gains[position] += gain
    }

    /// The ± of HR and NDCG (0 without points).
    public func intervals() -> (hitRate: Double, ndcg: Double) {
        guard !points.isEmpty else { return (0, 0) }
        var random = SeededRandom(seed: Self.seed)
        var hitRates: [Double] = []
        var ndcgs: [Double] = []
        hitRates.reserveCapacity(Self.samples)
        ndcgs.reserveCapacity(Self.samples)
        for _ in 0..<Self.samples {
            var drawn = (points: 0.0, hits: 0.0, gains: 0.0)
            for _ in points.indices {
                let user = random.below(points.count)
                drawn.points += points[user]
                drawn.hits += hits[user]
                drawn.gains += gains[user]
            }
            hitRates.append(drawn.hits / max(drawn.points, 1))
            ndcgs.append(drawn.gains / max(drawn.points, 1))
        }
        return (1.96 * Self.standardDeviation(hitRates), 1.96 * Self.standardDeviation(ndcgs))
    }

    static func standardDeviation(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))).squareRoot()
    }
}
