import Recommender
import StreamEngine
import Topology

/// A snapshot of a running worker, safe to read from another thread (the demo's live view, a test).
public struct WorkerStatistics: Sendable, Equatable {
    /// Input records read (behavior events).
    public var recordsConsumed = 0
    /// Internal item-shuffle records read.
    public var shuffleRecordsConsumed = 0
    public var recordsProduced = 0
    /// Checkpoints committed (state, outputs and offsets together).
    public var commits = 0
    /// Wall time spent in checkpoints: waiting for the lanes and for the producer to deliver, committing.
    public var commitMilliseconds = 0
    /// Checkpoints given up (transaction aborted, tasks rewound to their last checkpoint).
    public var checkpointsAborted = 0
    /// Changelog records written.
    public var changelogRecords = 0
    /// Tasks restored from a checkpoint, and the wall time spent reading changelogs.
    public var tasksRestored = 0
    public var restoreMilliseconds = 0
    /// This instance's tasks by where they are in their life (`streamrec_tasks{state}`).
    public var tasksByState: [TaskLifecycle: Int] = [:]
    /// Partitions currently paused because their lane's queue is full.
    public var pausedPartitions = 0
    /// Records handed to lanes and not processed yet (bounded by lanes × maxQueuedPerLane plus one poll batch).
    public var queuedRecords = 0
    public var assignedPartitions: [Int32] = []
    public var assignedShufflePartitions: [Int32] = []
    public var users = 0
    public var items = 0
    /// Rows in the local copy of the global item table.
    public var tableItems = 0
    /// The learned version ranking for most users (nil: the blend).
    public var activeModel: String?
    public var pipeline = PipelineCounters()
    /// Records behind the end of each assigned partition, from librdkafka's statistics (every 5 s by default).
    public var consumerLag: [TopicPartition: Int64] = [:]
    /// The broker each assigned partition is fetched from, from the same statistics.
    public var partitionLeaders: [TopicPartition: Int32] = [:]
    /// The consumer joined its group and got its (possibly empty) share of partitions.
    public var joined = false
    /// The run ended with an error.
    public var failed = false
    /// False from librdkafka's "all brokers down" until its statistics show a broker connected again.
    public var brokersReachable = true
    /// Records were taken in and no checkpoint completed for longer than the stall timeout: outputs and offsets
    /// cannot be committed (a broker or the transaction coordinator is away, or a lane is stuck).
    public var stalled = false
    /// Partitions with records to read that delivered none for the stall timeout (`StallDetector`).
    public var stalledPartitions: [TopicPartition] = []
    /// Server-sent-event clients connected now (bounded by `WorkerOptions.maxEventStreams`).
    public var eventStreams = 0
    /// Its bound, so a dashboard or an alert can show how close to it the instance is.
    public var maxEventStreams = 0
    /// Offset resets of partitions that had a position (records deleted before they were read), per partition.
    /// Bound: one entry per partition this instance was assigned.
    public var offsetResets: [TopicPartition: Int] = [:]
    /// Records those resets skipped (lost), per partition.
    public var recordsSkippedByReset: [TopicPartition: Int] = [:]

    public init() {}

    /// Ready: joined, not failed, and able to make progress — what a load balancer or a readiness probe should ask.
    public var ready: Bool { joined && !failed && brokersReachable && !stalled && stalledPartitions.isEmpty }
}
