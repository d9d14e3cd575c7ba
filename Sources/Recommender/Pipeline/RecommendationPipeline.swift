import StreamEngine

/// The recommendation pipeline of one worker: a task per assigned input partition plus the item popularity they
/// share. Plain Swift: a Kafka consumer, a file or a test drives it with `process`.
///
/// Item popularity is per worker here, fed by the partitions this worker owns; the item repartitioning of the
/// stream engine (ARCHITECTURE.md, `<app>-item-shuffle`) makes it global.
public struct RecommendationPipeline: Sendable {
    public let settings: PipelineSettings
    // Bound: one task per assigned partition.
    private var tasks: [Int32: UserTask] = [:]
    public private(set) var items: ItemPopularity
    /// Counters of tasks already closed, so totals survive rebalances.
    private var closedCounters = PipelineCounters()

    public init(settings: PipelineSettings) {
        self.settings = settings
        items = ItemPopularity(maxItems: settings.maxItems)
    }

    public var assignedPartitions: [Int32] { tasks.keys.sorted() }

    public mutating func assign(_ partition: Int32) {
        if tasks[partition] == nil { tasks[partition] = UserTask(partition: partition, settings: settings) }
    }

    /// Closes the task of a partition that moved away; its state goes with it (the changelog brings it back).
    public mutating func revoke(_ partition: Int32) {
        if let task = tasks.removeValue(forKey: partition) { closedCounters += task.counters }
    }

    /// Processes one record of an input partition, creating its task if the source did not announce it.
    public mutating func process(_ record: StreamRecord, into output: inout [OutputRecord]) {
        assign(record.partition)
        tasks[record.partition]!.process(record, items: &items, output: &output)
    }

    public var counters: PipelineCounters {
        tasks.values.reduce(into: closedCounters) { $0 += $1.counters }
    }

    public var userCount: Int { tasks.values.reduce(0) { $0 + $1.userCount } }
}
