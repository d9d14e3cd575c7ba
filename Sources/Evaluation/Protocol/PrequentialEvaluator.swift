import Recommender
import StreamEngine
import Topology

/// Prequential (test-then-train) evaluation of the real pipeline: events go through a `LocalRunner` — user tasks,
/// item tasks, item table, trainer, model registry, exactly as the worker wires them — and before each target event
/// every strategy is asked for the user's list as of that moment (`RecommendationPipeline.recommend`, read-only),
/// scored against the item the user then chose, and only then is the event processed. Strategies see the same
/// state at every point. Events must come in event-time order (`EventTimeOrder`).
public struct PrequentialEvaluator: Sendable {
    public let strategies: [RankingStrategy]
    public let targets: EvaluationTargets
    public let bucket: TimeBucket
    public let window: ReportWindow
    private var runner: LocalRunner
    private var sequencer: InputSequencer
    // Bounds: one accumulator per strategy, per strategy and bucket (the input's time span in buckets), per strategy
    // for first interactions.
    private var overall: [RankingStrategy: MetricAccumulator] = [:]
    private var byBucket: [Int64: [RankingStrategy: MetricAccumulator]] = [:]
    private var coldStart: [RankingStrategy: MetricAccumulator] = [:]
    private var intervals: [RankingStrategy: UserBootstrap] = [:]
    // Bounds: the input's distinct users and items.
    private var knownUsers: Set<String> = []
    private var catalogue: Set<String> = []
    public private(set) var events = 0

    public init(
        settings: PipelineSettings, strategies: [RankingStrategy] = RankingStrategy.allCases,
        targets: EvaluationTargets = .positives, bucket: TimeBucket = .week, window: ReportWindow = .everything
    ) {
        self.strategies = strategies
        self.targets = targets
        self.bucket = bucket
        self.window = window
        runner = LocalRunner(settings: settings)
        sequencer = InputSequencer(partitions: settings.shufflePartitions)
    }

    /// Test, then train: scores the lists before a target event, then feeds the event through the pipeline.
    public mutating func process(_ event: BehaviorEvent) {
        events += 1
        catalogue.insert(event.itemId)
        if targets.contains(event.behavior), window.contains(event.timestamp) { score(before: event) }
        knownUsers.insert(event.userId)
        runner.process(sequencer.record(for: event)) { _ in }
    }

    private mutating func score(before event: BehaviorEvent) {
        let lists = runner.pipeline.recommend(user: event.userId, at: event.timestamp, strategies: strategies)
        let isColdStart = !knownUsers.contains(event.userId)
        let bucketStart = bucket.start(of: event.timestamp)
        for strategy in strategies {
            let list = (lists[strategy] ?? []).map(\.itemId)
            let position = overall[strategy, default: MetricAccumulator()].record(list: list, target: event.itemId)
            intervals[strategy, default: UserBootstrap()].record(
                user: event.userId, hit: position != nil, gain: position.map(MetricAccumulator.gain(at:)) ?? 0)
            byBucket[bucketStart, default: [:]][strategy, default: MetricAccumulator()].record(
                list: list, target: event.itemId)
            if isColdStart {
                coldStart[strategy, default: MetricAccumulator()].record(list: list, target: event.itemId)
            }
        }
    }

    /// Every figure so far (points in `window` only): overall with its bootstrap intervals, for first interactions, and per bucket; coverage over the items seen so far.
    public func report() -> EvaluationReport {
        let size = catalogue.count
        func summaries(_ accumulators: [RankingStrategy: MetricAccumulator]) -> [String: StrategyMetrics] {
            Dictionary(
                uniqueKeysWithValues: strategies.map {
                    ($0.rawValue, (accumulators[$0] ?? MetricAccumulator()).summary(catalogueSize: size))
                })
        }
        var overallFigures = summaries(overall)
        for strategy in strategies {
            guard let (hitRate, ndcg) = intervals[strategy]?.intervals() else { continue }
            overallFigures[strategy.rawValue]?.hitRateInterval = hitRate
            overallFigures[strategy.rawValue]?.ndcgInterval = ndcg
        }
        let counters = runner.pipeline.counters
        var report = EvaluationReport(
            events: events, evaluationPoints: overall[strategies[0]]?.points ?? 0,
            coldStartPoints: coldStart[strategies[0]]?.points ?? 0, users: knownUsers.count, catalogueSize: size,
            listLength: runner.pipeline.settings.ranking.topN, targets: targets.names, bucket: bucket,
            strategies: strategies,
            overall: overallFigures, coldStart: summaries(coldStart),
            buckets: byBucket.keys.sorted().map { start in
                BucketMetrics(
                    start: start, date: TimeBucket.date(of: start),
                    points: byBucket[start]?[strategies[0]]?.points ?? 0, metrics: summaries(byBucket[start] ?? [:]))
            },
            model: .init(
                examplesTrained: counters.examplesTrained, versionsPublished: counters.modelsPublished,
                activeVersion: runner.registry.control.active))
        (report.reportedFrom, report.reportedUntil) = (window.from, window.until)
        return report
    }
}
