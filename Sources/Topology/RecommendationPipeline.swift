import Recommender
import StreamEngine

/// The tasks of one lane: a `UserTask` per assigned input partition, an `ItemTask` per assigned partition of the
/// item shuffle topic, and the `TrainerTask` if the lane holds the training partition. Plain Swift: a Kafka consumer, a file (`LocalRunner`) or a test drives it with `process`.
/// Rankings read the shared `ItemTable` and `ModelRegistry`; nothing else is shared between lanes.
public struct RecommendationPipeline: Sendable {
    public let settings: PipelineSettings
    public let table: ItemTable
    public let registry: ModelRegistry
    /// Made once: `kind(ofTopic:)` runs for every record.
    private let routes: OutputRoutes
    // Bound: one task per assigned partition.
    private var userTasks: [Int32: UserTask] = [:]
    private var itemTasks: [Int32: ItemTask] = [:]
    private var trainerTasks: [Int32: TrainerTask] = [:]
    /// Counters of tasks already closed, so totals survive rebalances.
    private var closedCounters = PipelineCounters()

    public init(settings: PipelineSettings, table: ItemTable, registry: ModelRegistry = ModelRegistry()) {
        self.settings = settings
        self.table = table
        self.registry = registry
        routes = OutputRoutes(settings)
    }

    public typealias TaskKind = OutputRoutes.TaskKind

    /// Which kind of task reads `topic`.
    public func kind(ofTopic topic: String) -> TaskKind { routes.taskKind(reading: topic) }

    /// Creates the task of a partition (from its checkpoint, when given) unless it exists.
    public mutating func assign(_ kind: TaskKind, partition: Int32, restoring restored: RestoredTask? = nil)
        throws(CheckpointDecodingError)
    {
        switch kind {
        case .user where userTasks[partition] == nil:
            var task = UserTask(partition: partition, settings: settings)
            if let restored { try task.restore(from: restored) }
            userTasks[partition] = task
        case .item where itemTasks[partition] == nil:
            var task = ItemTask(partition: partition, settings: settings)
            if let restored { try task.restore(from: restored) }
            itemTasks[partition] = task
        case .trainer where trainerTasks[partition] == nil:
            var task = TrainerTask(partition: partition, settings: settings)
            if let restored { try task.restore(from: restored) }
            trainerTasks[partition] = task
        default: break
        }
    }

    /// Closes the task of a partition that moved away; its state goes with it (the changelog brings it back).
    public mutating func revoke(_ kind: TaskKind, partition: Int32) {
        switch kind {
        case .user: if let task = userTasks.removeValue(forKey: partition) { closedCounters += task.counters }
        case .item: if let task = itemTasks.removeValue(forKey: partition) { closedCounters += task.counters }
        case .trainer: if let task = trainerTasks.removeValue(forKey: partition) { closedCounters += task.counters }
        }
    }

    /// Processes one record, creating its task if the source did not announce it.
    public mutating func process(_ record: StreamRecord, into output: inout [OutputRecord]) {
        let partition = record.partition
        switch kind(ofTopic: record.topic) {
        case .user:
            let task = Self.index(of: partition, in: &userTasks) { UserTask(partition: partition, settings: settings) }
            userTasks.values[task].process(record, table: table, registry: registry, output: &output)
        case .item:
            let task = Self.index(of: partition, in: &itemTasks) { ItemTask(partition: partition, settings: settings) }
            itemTasks.values[task].process(record, table: table, output: &output)
        case .trainer:
            let task = Self.index(of: partition, in: &trainerTasks) {
                TrainerTask(partition: partition, settings: settings)
            }
            trainerTasks.values[task].process(record, registry: registry, output: &output)
        }
    }

    /// Where the task of `partition` is in `tasks`, made first if missing. Callers mutate it through `values[index]`,
    /// which works in place: `tasks[partition]!.process(…)` copied the whole task out and back (a retain and release
    /// of each of its references, twice per event: ~10 % of a features-only replay's CPU).
    private static func index<Task>(
        of partition: Int32, in tasks: inout [Int32: Task], making make: () -> Task
    ) -> Dictionary<Int32, Task>.Index {
        if let index = tasks.index(forKey: partition) { return index }
        tasks[partition] = make()
        return tasks.index(forKey: partition)!
    }

    /// The end of a bounded input on `end.partition` of the input topic (see `UserTask.finish`).
    public mutating func finishInput(
        _ end: StreamRecord, after lastEventTime: Int64, into output: inout [OutputRecord]
    ) {
        let partition = end.partition
        let task = Self.index(of: partition, in: &userTasks) { UserTask(partition: partition, settings: settings) }
        userTasks.values[task].finish(after: lastEventTime, as: end, table: table, output: &output)
    }

    /// The newest event time any user task saw (`Int64.min` before the first event).
    public var maxEventTime: Int64 { userTasks.values.map(\.watermark.maxEventTime).max() ?? .min }

    /// The feed `userId` would get now, by each of `strategies`, from the user task that owns the user (partition
    /// by murmur2 of the userId, as the input is keyed; the input has `shufflePartitions` partitions) — read-only,
    /// see `UserTask.recommend`. The `learned` strategy ranks with this lane's trainer's current model.
    public func recommend(user userId: String, at time: Int64, strategies: [RankingStrategy])
        -> [RankingStrategy: [ScoredItem]]
    {
        let partition = KeyPartitioner.partition(for: Array(userId.utf8), partitionCount: settings.shufflePartitions)
        func recommend(_ task: UserTask) -> [RankingStrategy: [ScoredItem]] {
            task.recommend(
                user: userId, at: time, strategies: strategies, table: table, registry: registry,
                trained: trainer?.model)
        }
        // Through the index: `userTasks[partition]` would copy the task out.
        guard let index = userTasks.index(forKey: partition) else {
            return recommend(UserTask(partition: partition, settings: settings))
        }
        return recommend(userTasks.values[index])
    }

    /// The feed the task owning the user would serve now (see `UserTask.currentFeed`); nil when this lane has no task
    /// for the user's partition or the task holds no state of the user.
    public func currentFeed(of userId: String) -> Recommendation? {
        let partition = KeyPartitioner.partition(for: Array(userId.utf8), partitionCount: settings.shufflePartitions)
        guard let index = userTasks.index(forKey: partition) else { return nil }
        return userTasks.values[index].currentFeed(of: userId, table: table, registry: registry)
    }

    /// Appends a checkpoint of every task that processed records since its last one, in partition order.
    public mutating func checkpoint(into output: inout [OutputRecord]) {
        Self.inPartitionOrder(&userTasks) { $0.checkpoint(into: &output) }
        Self.inPartitionOrder(&itemTasks) { $0.checkpoint(into: &output) }
        Self.inPartitionOrder(&trainerTasks) { $0.checkpoint(into: &output) }
    }

    /// Calls `body` on every task in place, in partition order (see `index(of:in:making:)`).
    private static func inPartitionOrder<Task>(_ tasks: inout [Int32: Task], _ body: (inout Task) -> Void) {
        for index in tasks.indices.sorted(by: { tasks.keys[$0] < tasks.keys[$1] }) { body(&tasks.values[index]) }
    }

    /// The trainer, if this lane holds the training partition.
    public var trainer: TrainerTask? { trainerTasks.values.first }

    public var counters: PipelineCounters {
        var total = closedCounters
        for task in userTasks.values { total += task.counters }
        for task in itemTasks.values { total += task.counters }
        for task in trainerTasks.values { total += task.counters }
        return total
    }

    public var userCount: Int { userTasks.values.reduce(0) { $0 + $1.userCount } }
    public var itemCount: Int { itemTasks.values.reduce(0) { $0 + $1.itemCount } }
}

/// What a lane reports about its tasks after each batch.
public struct PipelineSummary: Sendable, Equatable {
    public var counters = PipelineCounters()
    public var users = 0
    public var items = 0
    public var userPartitions: [Int32] = []
    /// The newest event time of the lane's user tasks.
    public var maxEventTime: Int64 = .min
    public var itemPartitions: [Int32] = []

    public init() {}
}

extension RecommendationPipeline: TaskSet {
    public mutating func open(_ partition: TopicPartition, restoring restored: RestoredTask?)
        throws(CheckpointDecodingError)
    {
        try assign(kind(ofTopic: partition.topic), partition: partition.partition, restoring: restored)
    }

    public mutating func close(_ partition: TopicPartition) {
        revoke(kind(ofTopic: partition.topic), partition: partition.partition)
    }

    public var summary: PipelineSummary {
        var summary = PipelineSummary()
        summary.counters = counters
        summary.users = userCount
        summary.items = itemCount
        summary.userPartitions = userTasks.keys.sorted()
        summary.maxEventTime = maxEventTime
        summary.itemPartitions = itemTasks.keys.sorted()
        return summary
    }
}
