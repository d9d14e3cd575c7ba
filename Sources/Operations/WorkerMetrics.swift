import Metrics
import StreamEngine
import Worker

/// Publishes a worker's statistics through swift-metrics (the Prometheus backend serves them). The worker keeps
/// plain counters on its hot path; this turns them into metrics when they are scraped, so measuring costs nothing
/// between scrapes. Counters are fed the difference since the previous scrape, so they only ever grow.
public final class WorkerMetrics: Sendable {
    private let worker: Worker
    private let previous = Locked(WorkerStatistics())
    // Created once, so every family is exported (at 0) from the first scrape on.
    private let counters: [(metric: Counter, read: @Sendable (WorkerStatistics) -> Int)]
    private let gauges: [(metric: Gauge, read: @Sendable (WorkerStatistics) -> Int)]

    public init(worker: Worker) {
        self.worker = worker
        let topics = worker.options.topics
        let counterSpecifications:
            [(label: String, dimensions: [(String, String)], read: @Sendable (WorkerStatistics) -> Int)] = [
                ("streamrec_records_in_total", [("topic", topics.input)], { $0.recordsConsumed }),
                ("streamrec_records_in_total", [("topic", topics.outputs.itemShuffle)], { $0.shuffleRecordsConsumed }),
                ("streamrec_records_out_total", [], { $0.recordsProduced }),
                ("streamrec_events_processed_total", [], { $0.pipeline.eventsProcessed }),
                ("streamrec_dead_letters_total", [("topic", topics.outputs.deadLetter)], { $0.pipeline.deadLettered }),
                ("streamrec_late_events_total", [("topic", topics.outputs.late)], { $0.pipeline.late }),
                ("streamrec_window_emissions_total", [("kind", "user")], { $0.pipeline.featuresEmitted }),
                ("streamrec_window_emissions_total", [("kind", "item")], { $0.pipeline.itemFeaturesEmitted }),
                (
                    "streamrec_recommendations_total", [("surface", "personalized")],
                    { $0.pipeline.recommendationsEmitted }
                ),
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
            ]
        counters = counterSpecifications.map { (Counter(label: $0.label, dimensions: $0.dimensions), $0.read) }
        let gaugeSpecifications: [(label: String, read: @Sendable (WorkerStatistics) -> Int)] = [
            ("streamrec_state_keys_users", { $0.users }),
            ("streamrec_state_keys_items", { $0.items }),
            ("streamrec_item_table_rows", { $0.tableItems }),
            ("streamrec_assigned_partitions", { $0.assignedPartitions.count + $0.assignedShufflePartitions.count }),
            ("streamrec_paused_partitions", { $0.pausedPartitions }),
            ("streamrec_queued_records", { $0.queuedRecords }),
            ("streamrec_ready", { $0.ready ? 1 : 0 }),
        ]
        gauges = gaugeSpecifications.map { (Gauge(label: $0.label), $0.read) }
    }

    /// Brings the metrics up to the worker's current statistics.
    public func refresh() {
        let now = worker.statistics
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
                dimensions: [("topic", partition.topic), ("partition", String(partition.partition))]
            ).record(lag)
        }
    }
}
