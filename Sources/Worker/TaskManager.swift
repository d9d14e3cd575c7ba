import Kafka
import StreamEngine
import Topology

/// Which tasks this instance has, on which lane, and where each is in its life (Kafka Streams' `TaskManager`).
/// Assigned partitions are placed on the least loaded lane, restored from the changelog and opened there; revoked
/// ones are closed. Used only from the poll thread.
final class TaskManager: @unchecked Sendable {
    let lanes: [Lane<RecommendationPipeline>]
    private let changelog: ChangelogRestore
    private let counts: Locked<WorkerStatistics>
    // Bounds: one entry per assigned partition.
    private(set) var laneOf: [TopicPartition: Int] = [:]
    private(set) var lifecycles = TaskLifecycles() {
        didSet {
            let counts = lifecycles.counts
            self.counts.withLock { $0.tasksByState = counts }
        }
    }
    /// Where each task started reading when it has no checkpoint yet: a rewind goes back there.
    private var firstOffsets: [TopicPartition: Int64] = [:]

    init(lanes: [Lane<RecommendationPipeline>], changelog: ChangelogRestore, counts: Locked<WorkerStatistics>) {
        (self.lanes, self.changelog, self.counts) = (lanes, changelog, counts)
    }

    var assigned: Dictionary<TopicPartition, Int>.Keys { laneOf.keys }

    /// The lane of a partition's records (lane 0 for one not assigned, which only a test sends).
    func lane(of partition: TopicPartition) -> Int { laneOf[partition] ?? 0 }

    /// Notes where a task without a checkpoint started reading (its first polled record).
    func noteFirstOffset(_ partition: TopicPartition, _ offset: Int64) {
        if firstOffsets[partition] == nil { firstOffsets[partition] = offset }
    }

    /// Tasks with a committed checkpoint rewind to it, no longer to where they started reading.
    func committed(_ partitions: [TopicPartition]) {
        for partition in partitions { firstOffsets[partition] = nil }
    }

    /// Creates the tasks of newly assigned partitions on their lanes, restored from the changelog. Returns the
    /// offsets to start reading at (the restored checkpoints').
    func assign(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartitionOffset] {
        let fresh = partitions.filter { laneOf[$0] == nil }
        var load = [Int](repeating: 0, count: lanes.count)
        for index in laneOf.values { load[index] += 1 }
        for partition in fresh {
            // The least loaded lane; ties go to the lowest index, so the pinning is stable for a given order.
            let index = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
            laneOf[partition] = index
            load[index] += 1
        }
        let restored = try open(fresh)
        return restored.map { TopicPartitionOffset($0.key, offset: $0.value.marker.nextOffset) }
    }

    /// Suspends every task and restores it from its last checkpoint: returns where each input must be rewound to.
    func rewindAll() throws(KafkaError) -> [TopicPartitionOffset] {
        let partitions = laneOf.keys.sorted()
        suspend(partitions)
        lanes.forEach { _ = $0.takeProcessedOffsets() }
        let restored = try open(partitions)
        return partitions.compactMap { partition in
            (restored[partition]?.marker.nextOffset ?? firstOffsets[partition]).map {
                TopicPartitionOffset(partition, offset: $0)
            }
        }
    }

    /// Closes the tasks of revoked partitions (after their work was committed, or given up).
    func revoke(_ partitions: [TopicPartition]) {
        let owned = partitions.filter { laneOf[$0] != nil }
        suspend(owned)
        for partition in owned { lifecycles.move(partition, to: .closed) }
        for partition in partitions {
            laneOf[partition] = nil
            firstOffsets[partition] = nil
        }
    }

    /// Restores `partitions` (each with a lane) from the changelog and opens them on their lanes.
    private func open(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: RestoredTask] {
        for partition in partitions { lifecycles.move(partition, to: .restoring) }
        let started = ContinuousClock.now
        let restored: [TopicPartition: RestoredTask]
        do throws(KafkaError) {
            restored = try changelog.restore(partitions)
            for (lane, batch) in zip(lanes, byLane(partitions)) where !batch.isEmpty {
                do {
                    try lane.open(batch, restoring: restored.filter { batch.contains($0.key) })
                } catch {
                    throw KafkaError(code: -1, name: "CHANGELOG", message: error.description)
                }
            }
        } catch {
            // Without their state the tasks cannot run; they are closed, and the caller stops or retries.
            for partition in partitions {
                lifecycles.move(partition, to: .closed)
                laneOf[partition] = nil
            }
            throw error
        }
        let elapsed = Int((ContinuousClock.now - started).inSeconds * 1_000)
        counts.withLock {
            $0.tasksRestored += restored.count
            $0.restoreMilliseconds += elapsed
        }
        for partition in partitions { lifecycles.move(partition, to: .running) }
        return restored
    }

    private func suspend(_ partitions: [TopicPartition]) {
        for (lane, batch) in zip(lanes, byLane(partitions)) where !batch.isEmpty { lane.close(batch) }
        for partition in partitions { lifecycles.move(partition, to: .suspended) }
    }

    /// Partitions (each with a lane) grouped by their lane, in lane order.
    func byLane(_ partitions: [TopicPartition]) -> [[TopicPartition]] {
        var grouped = [[TopicPartition]](repeating: [], count: lanes.count)
        for partition in partitions { grouped[laneOf[partition]!].append(partition) }
        return grouped
    }
}
