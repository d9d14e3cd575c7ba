import StreamEngine
import Synchronization
import Testing

/// Remembers, per partition, the offsets it saw.
struct RecordingTasks: TaskSet {
    var open: Set<TopicPartition> = []
    var seen: [TopicPartition: [Int64]] = [:]

    mutating func open(_ partition: TopicPartition, restoring: RestoredTask?) { open.insert(partition) }
    mutating func close(_ partition: TopicPartition) {
        open.remove(partition)
        seen[partition] = nil
    }
    mutating func process(_ record: StreamRecord, into output: inout [OutputRecord]) {
        let partition = TopicPartition(topic: record.topic, partition: record.partition)
        seen[partition, default: []].append(record.offset)
        output.append(OutputRecord(topic: "out", key: nil, value: [UInt8(record.offset % 256)]))
    }
    mutating func checkpoint(into output: inout [OutputRecord]) {
        for (partition, offsets) in seen.sorted(by: { $0.key < $1.key }) {
            output.append(
                OutputRecord(topic: "changelog", key: Array("\(partition)".utf8), value: [UInt8(offsets.count % 256)]))
        }
    }
    var summary: [TopicPartition: [Int64]] { seen }
}

@Suite struct LaneTests {
    func records(_ partition: Int32, _ offsets: Range<Int64>) -> [StreamRecord] {
        offsets.map { StreamRecord(topic: "t", partition: partition, offset: $0, key: nil, value: nil) }
    }

    @Test func aLaneProcessesEachPartitionInOffsetOrderAndReportsTheCut() throws {
        let emitted = Mutex(0)
        let lane = Lane(index: 0, tasks: RecordingTasks()) { outputs in emitted.withLock { $0 += outputs.count } }
        let p0 = TopicPartition(topic: "t", partition: 0)
        let p1 = TopicPartition(topic: "t", partition: 1)
        try lane.open([p0, p1])
        for start in stride(from: Int64(0), to: 1_000, by: 100) {
            lane.submit(records(0, start..<start + 100))
            lane.submit(records(1, start..<start + 50))
        }
        lane.waitUntilIdle()
        #expect(lane.queuedRecords == 0)
        #expect(emitted.withLock { $0 } == 1_500)
        let summary = lane.summary
        #expect(summary[p0] == Array(0..<1_000))
        #expect(summary[p1]?.count == 500)
        let offsets = lane.takeProcessedOffsets()
        #expect(offsets[p0] == 1_000)
        #expect(offsets[p1] == 950)
        #expect(lane.takeProcessedOffsets().isEmpty)
        lane.close([p1])
        #expect(lane.summary[p1] == nil)
        lane.stop()
    }

    @Test func aBarrierReportsTheCheckpointAndTheCutBeforeAnythingBehindIt() throws {
        // What the lane emitted, and where each barrier was reached, in the order it happened on the lane's thread.
        let events = Mutex<[String]>([])
        let lane = Lane(index: 0, tasks: RecordingTasks()) { outputs in
            events.withLock { $0 += outputs.map { "out \($0.value![0])" } }
        }
        let p0 = TopicPartition(topic: "t", partition: 0)
        try lane.open([p0])
        lane.submit(records(0, 0..<3))
        lane.barrier { checkpoint, offsets in
            events.withLock { $0.append("barrier \(checkpoint.count) \(offsets[p0] ?? -1)") }
        }
        lane.submit(records(0, 3..<5))
        lane.barrier { checkpoint, offsets in
            events.withLock { $0.append("barrier \(checkpoint.count) \(offsets[p0] ?? -1)") }
        }
        lane.waitUntilIdle()
        #expect(
            events.withLock { $0 } == ["out 0", "out 1", "out 2", "barrier 1 3", "out 3", "out 4", "barrier 1 5"])
        #expect(lane.takeProcessedOffsets().isEmpty)  // the barriers took the cut
        lane.stop()
    }

    @Test func aReadSeesTheStateAfterEverythingSubmittedBeforeIt() async throws {
        let lane = Lane(index: 0, tasks: RecordingTasks()) { _ in }
        let p0 = TopicPartition(topic: "t", partition: 0)
        try lane.open([p0])
        lane.submit(records(0, 0..<5_000))
        let seen = await lane.read { tasks in tasks.seen[p0]?.count ?? 0 }
        #expect(seen == 5_000)
        lane.stop()
        // A stopped lane answers nil at once instead of leaving the caller waiting.
        #expect(await lane.read { _ in 1 } == nil)
    }

    @Test func queuedRecordsShowABacklogForBackpressure() {
        let gate = Mutex(true)
        let lane = Lane(index: 1, tasks: RecordingTasks()) { _ in
            while gate.withLock({ $0 }) {}  // a slow output: the lane cannot drain
        }
        lane.submit(records(0, 0..<10))
        lane.submit(records(0, 10..<20))
        lane.submit(records(0, 20..<30))
        #expect(lane.queuedRecords >= 20)
        gate.withLock { $0 = false }
        lane.waitUntilIdle()
        #expect(lane.queuedRecords == 0)
        lane.stop()
    }
}
