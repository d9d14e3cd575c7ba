import Recommender

/// Every figure of an evaluation run; `--json` writes it as is. Metrics are keyed by the strategy's name.
public struct EvaluationReport: Sendable, Equatable, Codable {
    public var events: Int
    /// Target events, each scored for every strategy.
    public var evaluationPoints: Int
    /// Evaluation points that were the user's first interaction (no history: cold start).
    public var coldStartPoints: Int
    public var users: Int
    /// Distinct items in the input: the denominator of coverage.
    public var catalogueSize: Int
    /// N of HR@N, NDCG@N, MRR@N.
    public var listLength: Int
    /// Behaviours whose events are targets.
    public var targets: [String]
    public var bucket: TimeBucket
    public var strategies: [RankingStrategy]
    public var overall: [String: StrategyMetrics]
    public var coldStart: [String: StrategyMetrics]
    public var buckets: [BucketMetrics]
    public var model: ModelSummary
    /// The reported event times, `[from, until)` epoch ms (nil: unbounded); every event before `until` was trained on.
    public var reportedFrom: Int64? = nil
    public var reportedUntil: Int64? = nil
    /// Set by the caller: where the events came from, the settings that matter, how long it took.
    public var input: String?
    public var parameters: [String: String] = [:]
    public var runtimeSeconds: Double?

    public struct ModelSummary: Sendable, Equatable, Codable {
        public var examplesTrained: Int
        public var versionsPublished: Int
        public var activeVersion: String?
    }

    public func overall(_ strategy: RankingStrategy) -> StrategyMetrics? { overall[strategy.rawValue] }
}

/// The figures of one time bucket.
public struct BucketMetrics: Sendable, Equatable, Codable {
    /// Start of the bucket, epoch ms (UTC).
    public var start: Int64
    /// The same as `yyyy-mm-dd`.
    public var date: String
    public var points: Int
    public var metrics: [String: StrategyMetrics]
}
