import StreamEngine

/// `LocalRunner` on several lanes: the same tasks, pinned to threads as the Kafka worker pins them, with the item
/// shuffle handed from lane to lane in process (partitioned exactly as on Kafka) and the item table shared. No
/// broker, so it measures how the engine itself scales with lanes.
public final class ParallelLocalRunner: Sendable {
    public let settings: PipelineSettings
    public let table: ItemTable
    private let lanes: [Lane<RecommendationPipeline>]
    // Bound: one next-offset per shuffle partition.
    private let shuffleOffsets: Locked<[Int32: Int64]>

    /// `sink` sees every output except the internal ones, on the lane's thread.
    public init(settings: PipelineSettings, lanes count: Int, sink: @escaping @Sendable (OutputRecord) -> Void) {
        precondition(count > 0, "at least one lane")
        self.settings = settings
        let table = ItemTable(settings: settings)
        self.table = table
        let offsets = Locked<[Int32: Int64]>([:])
        shuffleOffsets = offsets
        let topics = settings.topics
        let router = LaneRouter()
        let lanes = (0..<count).map { index in
            Lane(index: index, tasks: RecommendationPipeline(settings: settings, table: table)) { outputs in
                var shuffled: [Int: [StreamRecord]] = [:]
                for output in outputs {
                    if output.topic == topics.itemShuffle {
                        let partition = output.partition ?? 0
                        let offset = offsets.withLock { offsets -> Int64 in
                            defer { offsets[partition, default: 0] += 1 }
                            return offsets[partition, default: 0]
                        }
                        shuffled[Int(partition) % count, default: []].append(
                            StreamRecord(
                                topic: output.topic, partition: partition, offset: offset, key: output.key,
                                value: output.value, timestamp: output.timestamp, headers: output.headers))
                    } else if output.topic == topics.itemTable {
                        if let value = output.value, let row = ItemTableRow.decode(value) { table.apply(row) }
                    } else {
                        sink(output)
                    }
                }
                for (lane, records) in shuffled { router.lanes[lane].submit(records) }
            }
        }
        router.lanes = lanes
        self.lanes = lanes
    }

    /// Hands input records to the lane of their partition (partition modulo lanes, the same for the shuffle).
    public func submit(_ records: [StreamRecord]) {
        var perLane = [[StreamRecord]](repeating: [], count: lanes.count)
        for record in records { perLane[Int(record.partition) % lanes.count].append(record) }
        for (lane, batch) in zip(lanes, perLane) { lane.submit(batch) }
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
