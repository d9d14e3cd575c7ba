import Recommender
import StreamEngine

/// `LocalRunner` on several lanes: the same tasks, pinned to threads as the Kafka worker pins them, with the item
/// shuffle and the training examples handed from lane to lane in process (partitioned exactly as on Kafka), the item
/// table and model registry shared. No broker, so it measures how the engine itself scales with lanes; `streamrec
/// replay --lanes` runs on it.
public final class ParallelLocalRunner: Sendable {
    public let settings: PipelineSettings
    public let table: ItemTable
    public let registry: ModelRegistry
    private let lanes: [Lane<RecommendationPipeline>]
    // Bound: one next-offset per shuffle partition and the training partition.
    private let loopOffsets: Locked<[TopicPartition: Int64]>

    /// `sink` sees every output except the internal ones (item shuffle, item table, training), on the lane's thread.
    public init(settings: PipelineSettings, lanes count: Int, sink: @escaping @Sendable (OutputRecord) -> Void) {
        precondition(count > 0, "at least one lane")
        self.settings = settings
        let table = ItemTable.local(for: settings)
        let registry = ModelRegistry()
        self.table = table
        self.registry = registry
        let offsets = Locked<[TopicPartition: Int64]>([:])
        loopOffsets = offsets
        let topics = settings.topics
        let partitions = settings.shufflePartitions
        let router = LaneRouter()
        let lanes = (0..<count).map { index in
            Lane(index: index, tasks: RecommendationPipeline(settings: settings, table: table, registry: registry)) {
                outputs in
                var looped: [Int: [StreamRecord]] = [:]
                var next = Self.reserveOffsets(for: outputs, topics: topics, partitions: partitions, in: offsets)
                for output in outputs {
                    if let slot = Self.loopSlot(of: output, topics: topics, partitions: partitions) {
                        let partition = output.partition ?? 0
                        let offset = next[slot]
                        next[slot] += 1
                        looped[Int(partition) % count, default: []].append(
                            StreamRecord(looping: output, partition: partition, offset: offset))
                    } else if output.topic == topics.itemTable {
                        if let row = ItemTableRow.of(output) { table.apply(row) }
                    } else {
                        if output.topic == topics.models { _ = registry.apply(key: output.key, value: output.value) }
                        sink(output)
                    }
                }
                for (lane, records) in looped { router.lanes[lane].submit(records) }
            }
        }
        router.lanes = lanes
        self.lanes = lanes
    }

    /// Where a looped-back output counts its offsets: shuffle partition p at p, the training partition after them;
    /// nil for an output that leaves the topology.
    private static func loopSlot(of output: OutputRecord, topics: OutputTopics, partitions: Int32) -> Int? {
        if output.topic == topics.itemShuffle { return Int(output.partition ?? 0) }
        if output.topic == topics.training { return Int(partitions) }
        return nil
    }

    /// Reserves the offsets of every looped-back record of a batch in one lock for the whole batch, and returns the
    /// first of each slot (`loopSlot`). Taking the lock the lanes share once per shuffle record, with a String-keyed
    /// lookup inside, made them wait for each other on every event of a two-lane replay. Within a partition the
    /// batch's records keep their order.
    private static func reserveOffsets(
        for outputs: [OutputRecord], topics: OutputTopics, partitions: Int32,
        in offsets: Locked<[TopicPartition: Int64]>
    ) -> [Int64] {
        var counts = [Int64](repeating: 0, count: Int(partitions) + 1)
        var any = false
        for output in outputs {
            guard let slot = loopSlot(of: output, topics: topics, partitions: partitions) else { continue }
            counts[slot] += 1
            any = true
        }
        guard any else { return counts }
        return offsets.withLock { offsets in
            var first = counts
            for slot in counts.indices where counts[slot] > 0 {
                let position =
                    slot == Int(partitions)
                    ? TopicPartition(topic: topics.training, partition: OutputRoutes.trainingPartition)
                    : TopicPartition(topic: topics.itemShuffle, partition: Int32(slot))
                first[slot] = offsets[position, default: 0]
                offsets[position, default: 0] += counts[slot]
            }
            return first
        }
    }

    /// Hands input records to the lane of their partition (partition modulo lanes, the same for the shuffle).
    public func submit(_ records: [StreamRecord]) {
        var perLane = [[StreamRecord]](repeating: [], count: lanes.count)
        for record in records { perLane[Int(record.partition) % lanes.count].append(record) }
        for (lane, batch) in zip(lanes, perLane) { lane.submit(batch) }
    }

    /// The end of a bounded input (see `LocalRunner.finish`): each end goes to its partition's lane behind the
    /// records submitted before it. Returns when everything it caused is processed.
    public func finish(_ ends: [StreamRecord]) {
        waitUntilIdle()
        let lastEventTime = lanes.map(\.summary.maxEventTime).max() ?? .min
        for end in ends {
            lanes[Int(end.partition) % lanes.count].perform { tasks, output in
                tasks.finishInput(end, after: lastEventTime, into: &output)
            }
        }
        waitUntilIdle()
    }

    public var queuedRecords: Int { lanes.reduce(0) { $0 + $1.queuedRecords } }

    /// Waits until every lane is idle with nothing in flight between them.
    public func waitUntilIdle() {
        repeat { lanes.forEach { $0.waitUntilIdle() } } while lanes.contains { $0.queuedRecords > 0 }
    }

    public var counters: PipelineCounters {
        lanes.reduce(into: PipelineCounters()) { $0 += $1.summary.counters }
    }

    /// Users and items in the tasks' state, as of each lane's last batch.
    public var stateKeys: (users: Int, items: Int) {
        lanes.reduce(into: (0, 0)) { total, lane in
            let summary = lane.summary
            total.0 += summary.users
            total.1 += summary.items
        }
    }

    public func stop() { lanes.forEach { $0.stop() } }
}

/// The lanes, set once after they exist (each lane's output closure needs all of them).
private final class LaneRouter: @unchecked Sendable {
    // Written once in the runner's init before any record is submitted; read-only afterwards.
    var lanes: [Lane<RecommendationPipeline>] = []
}
