import Recommender
import StreamEngine

/// Runs the whole topology in one process without a broker: input records go through the user tasks, their
/// item-shuffle records go straight to the item tasks (partitioned exactly as on Kafka), and item-table rows go
/// straight into the local item table. Everything else is handed to `sink`. Used by `streamrec replay`, the
/// benchmarks and tests; the Kafka worker runs the same tasks with Kafka in between.
public struct LocalRunner: Sendable {
    public private(set) var pipeline: RecommendationPipeline
    // Bound: one next-offset per shuffle partition and the training partition.
    private var loopOffsets: [TopicPartition: Int64] = [:]
    private var pending: [OutputRecord] = []
    private var loopBack: [OutputRecord] = []

    /// `table` shares an item table (a restored runner takes over its predecessor's, as a worker re-reads the
    /// global table); by default the runner has its own (see `ItemTable.local(for:)`).
    public init(settings: PipelineSettings, table: ItemTable? = nil, registry: ModelRegistry? = nil) {
        pipeline = RecommendationPipeline(
            settings: settings, table: table ?? .local(for: settings), registry: registry ?? ModelRegistry())
    }

    public var table: ItemTable { pipeline.table }
    public var registry: ModelRegistry { pipeline.registry }

    /// Creates the task of a partition, as a consumer-group assignment would.
    public mutating func assign(_ partition: TopicPartition) {
        try? pipeline.open(partition, restoring: nil)  // throws only when restoring
    }

    /// Creates the task of a partition from its checkpoint, as a worker does on assignment.
    public mutating func restore(_ partition: TopicPartition, from restored: RestoredTask)
        throws(CheckpointDecodingError)
    {
        try pipeline.open(partition, restoring: restored)
        if partition.topic != pipeline.settings.topics.itemShuffle
            && partition.topic != pipeline.settings.topics.training
        {
            return
        }
        loopOffsets[partition] = restored.marker.nextOffset
    }

    /// Restores every task that has a complete checkpoint in `changelog` (records in the order they were written),
    /// reading them back as a worker reads its changelog partitions.
    public mutating func restore(fromChangelog changelog: [OutputRecord], inputTopic: String = "user-behavior")
        throws(CheckpointDecodingError)
    {
        var restorers: [Int32: ChangelogRestorer] = [:]
        for record in changelog {
            restorers[record.partition ?? 0, default: ChangelogRestorer()].apply(
                key: record.key, value: record.value, headers: record.headers)
        }
        for (partition, restorer) in restorers {
            guard let task = restorer.finish() else { continue }
            let settings = pipeline.settings
            try restore(
                OutputRoutes(settings).taskPartition(ofChangelogPartition: partition, inputTopic: inputTopic),
                from: task)
        }
    }

    /// A checkpoint of every task that changed since the last (`settings.checkpointing` must be on): the records a
    /// worker writes to the changelog.
    public mutating func checkpoint() -> [OutputRecord] {
        var records: [OutputRecord] = []
        pipeline.checkpoint(into: &records)
        return records
    }

    /// Drops the task of a partition, as a revocation would.
    public mutating func revoke(_ partition: TopicPartition) { pipeline.close(partition) }

    /// Processes one input record and everything it causes inside the topology.
    public mutating func process(_ record: StreamRecord, sink: (OutputRecord) -> Void) {
        pending.removeAll(keepingCapacity: true)
        pipeline.process(record, into: &pending)
        drain(sink: sink)
    }

    /// The end of a bounded input: each of `ends` is the position after the last record of an input partition
    /// (`InputSequencer.ends`); every open window closes, downstream too (see `UserTask.finish`).
    public mutating func finish(_ ends: [StreamRecord], sink: (OutputRecord) -> Void) {
        let lastEventTime = pipeline.maxEventTime
        for end in ends {
            pending.removeAll(keepingCapacity: true)
            pipeline.finishInput(end, after: lastEventTime, into: &pending)
            drain(sink: sink)
        }
    }

    /// Hands `pending` to `sink` and runs what it causes inside the topology until nothing is left.
    private mutating func drain(sink: (OutputRecord) -> Void) {
        let topics = pipeline.settings.topics
        while !pending.isEmpty {
            swap(&pending, &loopBack)
            pending.removeAll(keepingCapacity: true)
            for output in loopBack {
                sink(output)
                if output.topic == topics.itemShuffle || output.topic == topics.training {
                    let partition = output.partition ?? 0
                    let position = TopicPartition(topic: output.topic, partition: partition)
                    let offset = loopOffsets[position, default: 0]
                    loopOffsets[position] = offset + 1
                    pipeline.process(
                        StreamRecord(looping: output, partition: partition, offset: offset), into: &pending)
                } else if output.topic == topics.itemTable, let row = ItemTableRow.of(output) {
                    pipeline.table.apply(row)
                } else if output.topic == topics.models {
                    pipeline.registry.apply(key: output.key, value: output.value)
                }
            }
        }
    }
}

extension ItemTableRow {
    /// The row an item-table output carries: as the item task made it, or decoded (nil for bytes of no row).
    static func of(_ output: OutputRecord) -> ItemTableRow? {
        output.typed as? ItemTableRow ?? output.value.flatMap(ItemTableRow.decode)
    }
}

extension ItemTable {
    /// The table of an in-process runner: without charts when the pipeline ranks nothing (features only), as no
    /// task reads them then.
    static func local(for settings: PipelineSettings) -> ItemTable {
        ItemTable(maxItems: settings.maxItems, itemWindow: settings.itemWindow, keepsCharts: settings.emitsLists)
    }
}
