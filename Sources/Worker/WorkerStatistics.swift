import Recommender
import StreamEngine

/// A snapshot of a running worker, safe to read from another thread (the demo's live view, a test).
public struct WorkerStatistics: Sendable, Equatable {
    /// Input records read (behavior events).
    public var recordsConsumed = 0
    /// Internal item-shuffle records read.
    public var shuffleRecordsConsumed = 0
    public var recordsProduced = 0
    public var commits = 0
    /// Wall time spent committing: waiting for the lanes to finish their queue and the producer to deliver.
    public var commitMilliseconds = 0
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
    public var pipeline = PipelineCounters()
    /// Records behind the end of each assigned partition, from librdkafka's statistics (every 5 s by default).
    public var consumerLag: [TopicPartition: Int64] = [:]
    /// The consumer joined its group and got its (possibly empty) share of partitions.
    public var joined = false
    /// The run ended with an error.
    public var failed = false

    public init() {}

    /// Ready to serve: joined and not failed.
    public var ready: Bool { joined && !failed }
}
