import Recommender

/// A snapshot of a running worker, safe to read from another thread (the demo's live view, a test).
public struct WorkerStatistics: Sendable, Equatable {
    public var recordsConsumed = 0
    public var recordsProduced = 0
    public var commits = 0
    public var assignedPartitions: [Int32] = []
    public var users = 0
    public var items = 0
    public var pipeline = PipelineCounters()
}
