import Recommender
import StreamEngine
import Testing

/// Checkpoints and restores without a broker: the changelog records a runner writes bring back a pipeline that goes
/// on exactly as if it had never stopped — the property exactly-once rests on.
@Suite struct CheckpointRestoreTests {
    static let partitions: Int32 = 4

    static func settings() -> PipelineSettings {
        var settings = PipelineSettings()
        settings.checkpointing = true
        settings.shufflePartitions = partitions
        settings.maxUsersPerTask = 40  // small bounds, so evictions happen and must repeat identically
        settings.maxItemsPerTask = 60
        settings.userTTL = 20 * 60_000
        settings.idleTimeout = nil
        return settings
    }

    static func records(count: Int) -> [StreamRecord] {
        var generator = SyntheticEventGenerator(
            seed: 11, users: 300, items: 400, categories: 8, startTime: 1_700_000_000_000, eventsPerSecond: 2)
        var sequencer = InputSequencer(partitions: partitions)
        var records = (0..<count).map { _ in sequencer.record(for: generator.next()) }
        records.insert(
            StreamRecord(topic: "user-behavior", partition: 0, offset: 10_000, key: nil, value: Array("{".utf8)),
            at: count / 3)
        return records
    }

    /// Every task's last complete checkpoint, read back from the changelog records as a worker would.
    static func restore(_ changelog: [OutputRecord], settings: PipelineSettings) -> [TopicPartition: RestoredTask] {
        var restorers: [Int32: ChangelogRestorer] = [:]
        for record in changelog {
            restorers[record.partition!, default: ChangelogRestorer()].apply(
                key: record.key, value: record.value, headers: record.headers)
        }
        var restored: [TopicPartition: RestoredTask] = [:]
        for (partition, restorer) in restorers {
            restored[settings.taskPartition(ofChangelogPartition: partition, inputTopic: "user-behavior")] =
                restorer.finish()
        }
        return restored
    }

    @Test(arguments: [1, 2_500, 5_999])
    func aRestoredPipelineContinuesExactlyAsAnUninterruptedOne(stopAt: Int) throws {
        let settings = Self.settings()
        let records = Self.records(count: 6_000)
        var uninterrupted = LocalRunner(settings: settings)
        var expected: [OutputRecord] = []
        for record in records { uninterrupted.process(record) { expected.append($0) } }

        var first = LocalRunner(settings: settings)
        var outputs: [OutputRecord] = []
        var changelog: [OutputRecord] = []
        for (index, record) in records[..<stopAt].enumerated() {
            first.process(record) { outputs.append($0) }
            if index % 700 == 0 { changelog += first.checkpoint() }  // several checkpoints, deltas and snapshots
        }
        changelog += first.checkpoint()
        #expect(changelog.allSatisfy { $0.topic == settings.topics.changelog })

        var second = LocalRunner(settings: settings, table: first.table)
        try second.restore(fromChangelog: changelog)
        for record in records[stopAt...] { second.process(record) { outputs.append($0) } }
        #expect(outputs.count == expected.count)
        #expect(outputs == expected)
        #expect(second.pipeline.counters.usersEvicted + first.pipeline.counters.usersEvicted > 0)
    }

    @Test func aTasksFirstCheckpointIsASnapshotOfEveryKeyAndLaterOnesOnlyTheChanges() throws {
        let settings = Self.settings()
        var runner = LocalRunner(settings: settings)
        let records = Self.records(count: 3_000)
        for record in records[..<2_990] { runner.process(record) { _ in } }
        let first = runner.checkpoint()
        let restored = Self.restore(first, settings: settings)
        #expect(restored.values.allSatisfy { $0.marker.isSnapshot })
        let users = runner.pipeline.userCount + runner.pipeline.itemCount
        #expect(restored.values.reduce(0) { $0 + $1.entries.count } == users)
        for record in records[2_990...] { runner.process(record) { _ in } }
        let second = runner.checkpoint()
        let markers = second.filter { $0.key == Changelog.markerKey }
        #expect(try markers.allSatisfy { try !CheckpointMarker(decoding: $0.value!).isSnapshot })
        #expect(second.count - markers.count < 40)  // ten events change a handful of users and items
    }
}
