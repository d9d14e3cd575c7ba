import Metrics
import Recommender
import StreamEngine
import Topology
import Worker

/// Publishes a worker's statistics through swift-metrics (the Prometheus backend serves them). The worker keeps
/// plain counters on its hot path; this turns them into metrics when they are scraped, so measuring costs nothing
/// between scrapes. Counters are fed the difference since the previous scrape, so they only ever grow.
public final class WorkerMetrics: Sendable {
    /// Model versions given their own `version` label; lists and hits of any further version are counted under
    /// `version="other"`. The registry keeps few versions, so this only bounds a pathological run.
    public static let maxModelLabels = 50

    private let statistics: @Sendable () -> WorkerStatistics
    private let factory: any MetricsFactory
    private let previous = Locked(WorkerStatistics())
    // Created once, so every family is exported (at 0) from the first scrape on.
    private let counters: [(metric: Counter, read: @Sendable (WorkerStatistics) -> Int)]
    private let gauges: [(metric: Gauge, read: @Sendable (WorkerStatistics) -> Int)]
    /// Per model version label: its lists and hits counters, created on first sight.
    private let modelCounters = Locked<[String: ModelMetrics]>([:])
    /// The version the active-model gauge is 1 for.
    private let activeModel = Locked<String?>(nil)

    private struct ModelMetrics: Sendable {
        var lists: Counter
        var hits: Counter
    }

    public convenience init(worker: Worker, factory: any MetricsFactory = MetricsSystem.factory) {
        self.init(topics: worker.options.topics, factory: factory) { worker.statistics }
    }

    /// Metrics of whatever `statistics` reports (a worker's statistics, or a test's), created with `factory`.
    public init(
        topics: TopicLayout, factory: any MetricsFactory = MetricsSystem.factory,
        statistics: @escaping @Sendable () -> WorkerStatistics
    ) {
        self.statistics = statistics
        self.factory = factory
        let counterSpecifications:
            [(label: String, dimensions: [(String, String)], read: @Sendable (WorkerStatistics) -> Int)] = [
                ("streamrec_records_in_total", [("topic", topics.input)], { $0.recordsConsumed }),
                ("streamrec_records_in_total", [("topic", topics.outputs.itemShuffle)], { $0.shuffleRecordsConsumed }),
                ("streamrec_records_out_total", [], { $0.recordsProduced }),
                ("streamrec_events_processed_total", [], { $0.pipeline.eventsProcessed }),
                ("streamrec_late_events_total", [("topic", topics.outputs.late)], { $0.pipeline.late }),
                ("streamrec_window_emissions_total", [("kind", "user")], { $0.pipeline.featuresEmitted }),
                ("streamrec_window_emissions_total", [("kind", "item")], { $0.pipeline.itemFeaturesEmitted }),
                (
                    "streamrec_recommendations_total", [("surface", "personalized")],
                    { $0.pipeline.recommendationsEmitted }
                ),
                ("streamrec_window_feeds_kept_total", [], { $0.pipeline.windowFeedsKept }),
                ("streamrec_item_table_rows_published_total", [], { $0.pipeline.tableRowsPublished }),
                (
                    "streamrec_state_evictions_total", [("store", "users"), ("reason", "capacity")],
                    { $0.pipeline.usersEvicted }
                ),
                (
                    "streamrec_state_evictions_total", [("store", "users"), ("reason", "ttl")],
                    { $0.pipeline.usersExpired }
                ),
                (
                    "streamrec_state_evictions_total", [("store", "items"), ("reason", "capacity")],
                    { $0.pipeline.itemsEvicted }
                ),
                (
                    "streamrec_state_evictions_total", [("store", "items"), ("reason", "ttl")],
                    { $0.pipeline.itemsExpired }
                ),
                ("streamrec_commits_total", [], { $0.commits }),
                ("streamrec_commit_milliseconds_total", [], { $0.commitMilliseconds }),
                ("streamrec_checkpoints_aborted_total", [], { $0.checkpointsAborted }),
                ("streamrec_changelog_records_total", [], { $0.changelogRecords }),
                ("streamrec_tasks_restored_total", [], { $0.tasksRestored }),
                ("streamrec_restore_milliseconds_total", [], { $0.restoreMilliseconds }),
                ("streamrec_similar_lists_total", [], { $0.pipeline.similarListsEmitted }),
                ("streamrec_training_examples_total", [], { $0.pipeline.trainingExamples }),
                ("streamrec_examples_trained_total", [], { $0.pipeline.examplesTrained }),
                ("streamrec_models_published_total", [], { $0.pipeline.modelsPublished }),
                ("streamrec_cache_hits_total", [("cache", "user")], { $0.pipeline.userCache.hits }),
                ("streamrec_cache_misses_total", [("cache", "user")], { $0.pipeline.userCache.misses }),
                ("streamrec_cache_evictions_total", [("cache", "user")], { $0.pipeline.userCache.evictions }),
                ("streamrec_cache_expirations_total", [("cache", "user")], { $0.pipeline.userCache.expirations }),
            ]
        // One series per class of bad record (a fixed set); their sum is every dead letter.
        let deadLetters: [(label: String, dimensions: [(String, String)], read: @Sendable (WorkerStatistics) -> Int)] =
            EventDecodingError.Reason.allCases.map { reason in
                (
                    "streamrec_dead_letters_total",
                    [("topic", topics.outputs.deadLetter), ("reason", reason.rawValue)],
                    { $0.pipeline.deadLettersByReason[reason] ?? 0 }
                )
            }
        counters = (counterSpecifications + deadLetters).map {
            (Counter(label: $0.label, dimensions: $0.dimensions, factory: factory), $0.read)
        }
        let gaugeSpecifications: [(label: String, read: @Sendable (WorkerStatistics) -> Int)] = [
            ("streamrec_state_keys_users", { $0.users }),
            ("streamrec_state_keys_items", { $0.items }),
            ("streamrec_item_table_rows", { $0.tableItems }),
            ("streamrec_assigned_partitions", { $0.assignedPartitions.count + $0.assignedShufflePartitions.count }),
            ("streamrec_paused_partitions", { $0.pausedPartitions }),
            ("streamrec_queued_records", { $0.queuedRecords }),
            ("streamrec_ready", { $0.ready ? 1 : 0 }),
            ("streamrec_stalled_partitions", { $0.stalledPartitions.count }),
            ("streamrec_event_streams", { $0.eventStreams }),
            ("streamrec_event_streams_max", { $0.maxEventStreams }),
        ]
        gauges = gaugeSpecifications.map { (Gauge(label: $0.label, factory: factory), $0.read) }
    }

    /// Brings the metrics up to the worker's current statistics.
    public func refresh() {
        let now = statistics()
        let before = previous.withLock { previous in
            defer { previous = now }
            return previous
        }
        for counter in counters {
            let delta = counter.read(now) - counter.read(before)
            if delta > 0 { counter.metric.increment(by: delta) }
        }
        for gauge in gauges { gauge.metric.record(gauge.read(now)) }
        for (partition, lag) in now.consumerLag {
            Gauge(
                label: "streamrec_consumer_lag_records",
                dimensions: [("topic", partition.topic), ("partition", String(partition.partition))],
                factory: factory
            ).record(lag)
        }
        for state in TaskLifecycle.allCases where state != .closed {
            Gauge(label: "streamrec_tasks", dimensions: [("state", state.rawValue)], factory: factory).record(
                now.tasksByState[state] ?? 0)
        }
        refreshPartitionCounters(now: now, before: before)
        refreshModels(now: now, before: before)
    }

    /// Per topic and partition: `streamrec_offset_resets_total` and `streamrec_offset_reset_skipped_records_total`
    /// (records deleted before they were read: data loss), and `streamrec_partition_stalled` (1 while stalled).
    private func refreshPartitionCounters(now: WorkerStatistics, before: WorkerStatistics) {
        let dimensions = { (partition: TopicPartition) in
            [("topic", partition.topic), ("partition", String(partition.partition))]
        }
        let perPartition: [(label: String, read: (WorkerStatistics) -> [TopicPartition: Int])] = [
            ("streamrec_offset_resets_total", { $0.offsetResets }),
            ("streamrec_offset_reset_skipped_records_total", { $0.recordsSkippedByReset }),
        ]
        for counter in perPartition {
            for (partition, total) in counter.read(now) {
                let delta = total - (counter.read(before)[partition] ?? 0)
                guard delta > 0 else { continue }
                Counter(label: counter.label, dimensions: dimensions(partition), factory: factory).increment(by: delta)
            }
        }
        for partition in Set(now.stalledPartitions + before.stalledPartitions) {
            Gauge(label: "streamrec_partition_stalled", dimensions: dimensions(partition), factory: factory).record(
                now.stalledPartitions.contains(partition) ? 1 : 0)
        }
    }

    /// `streamrec_model_lists_total` and `streamrec_model_hits_total` per version (the blend is `version="blend"`),
    /// and `streamrec_active_model{version}`: 1 for the active version, 0 for one active before.
    private func refreshModels(now: WorkerStatistics, before: WorkerStatistics) {
        for version in now.pipeline.byModel.keys.sorted() {
            let current = now.pipeline.byModel[version, default: ModelCounters()]
            let earlier = before.pipeline.byModel[version, default: ModelCounters()]
            let (lists, hits) = (current.lists - earlier.lists, current.hits - earlier.hits)
            guard lists > 0 || hits > 0 else { continue }
            let metrics = self.metrics(forModel: version)
            if lists > 0 { metrics.lists.increment(by: lists) }
            if hits > 0 { metrics.hits.increment(by: hits) }
        }
        let active = now.activeModel ?? "blend"
        let replaced = activeModel.withLock { shown in
            defer { shown = active }
            return shown
        }
        if let replaced, replaced != active {
            Gauge(label: "streamrec_active_model", dimensions: [("version", replaced)], factory: factory).record(0)
        }
        Gauge(label: "streamrec_active_model", dimensions: [("version", active)], factory: factory).record(1)
    }

    private func metrics(forModel version: String) -> ModelMetrics {
        let factory = self.factory
        return modelCounters.withLock { known in
            let label = known[version] != nil || known.count < Self.maxModelLabels ? version : "other"
            if let existing = known[label] { return existing }
            let created = ModelMetrics(
                lists: Counter(
                    label: "streamrec_model_lists_total", dimensions: [("version", label)], factory: factory),
                hits: Counter(label: "streamrec_model_hits_total", dimensions: [("version", label)], factory: factory))
            known[label] = created
            return created
        }
    }
}
