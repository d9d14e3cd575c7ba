import Foundation
import Recommender

/// Top-N accuracy of one strategy over a set of evaluation points, each point one target item and one list:
/// HR@N (the target is in the list), NDCG@N (1/log2(rank+1) for a hit, 0 for a miss — with one relevant item the
/// ideal DCG is 1), MRR (1/rank for a hit, 0 for a miss: MRR@N) and catalogue coverage (distinct items listed /
/// catalogue size).
public struct MetricAccumulator: Sendable {
    public private(set) var points = 0
    public private(set) var hits = 0
    private var gains = 0.0
    private var reciprocalRanks = 0.0
    /// Bound: the catalogue (only items that were listed).
    private var listed: Set<String> = []

    public init() {}

    /// Counts one point; returns the target's position in the list (nil: a miss).
    @discardableResult
    public mutating func record(list: [String], target: String) -> Int? {
        points += 1
        listed.formUnion(list)
        guard let position = list.firstIndex(of: target) else { return nil }
        hits += 1
        gains += Self.gain(at: position)
        reciprocalRanks += 1 / Double(position + 1)
        return position
    }

    /// NDCG's gain of a hit at `position` (0-based).
    public static func gain(at position: Int) -> Double { 1 / log2(Double(position) + 2) }

    public func summary(catalogueSize: Int) -> StrategyMetrics {
        let count = Double(max(points, 1))
        return StrategyMetrics(
            points: points, hits: hits, hitRate: Double(hits) / count, hitRateInterval: nil, ndcg: gains / count,
            ndcgInterval: nil,
            mrr: reciprocalRanks / count, distinctItemsListed: listed.count,
            coverage: Double(listed.count) / Double(max(catalogueSize, 1)))
    }
}

/// The figures of one strategy over some evaluation points (0 when there were none).
public struct StrategyMetrics: Sendable, Equatable, Codable {
    public var points: Int
    public var hits: Int
    /// HR@N.
    public var hitRate: Double
    /// ± of HR@N: 1.96 bootstrap standard errors over users (overall figures only; `UserBootstrap`).
    public var hitRateInterval: Double?
    /// NDCG@N.
    public var ndcg: Double
    public var ndcgInterval: Double?
    /// MRR@N (a miss counts 0).
    public var mrr: Double
    public var distinctItemsListed: Int
    /// Distinct items listed / catalogue size.
    public var coverage: Double
}
