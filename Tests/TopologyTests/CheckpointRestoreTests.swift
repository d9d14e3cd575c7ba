import Evaluation
import Recommender
import StreamEngine
import Testing
import Topology

/// Checkpoints and restores without a broker: the changelog records a runner writes bring back a pipeline that goes
/// on exactly as if it had never stopped — the property exactly-once rests on.
@Suite struct CheckpointRestoreTests {
    static let partitions: Int32 = 4

    static func settings() -> PipelineSettings {
        var settings = PipelineSettings()
        settings.checkpointing = true
        settings.shufflePartitions = partitions
        settings.maxUsersPerPartition = 40  // small bounds, so evictions happen and must repeat identically
        settings.maxItemsPerPartition = 60
        settings.userTTL = 20 * 60_000
        settings.idleTimeout = nil
        // Learning is left out: its examples come from lists kept in a cache that is not checkpointed (a list
        // outstanding at the cut is not labelled), and the trainer re-reads examples from Kafka. Its own restore is
        // tested in LearningPipelineTests.
        settings.trainer.enabled = false
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
            restored[
                OutputRoutes(settings).taskPartition(ofChangelogPartition: partition, inputTopic: "user-behavior")] =
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
        let learning: Set = [settings.topics.training, settings.topics.models]
        outputs.removeAll { learning.contains($0.topic) }
        expected.removeAll { learning.contains($0.topic) }
        #expect(outputs.count == expected.count)
        if let index = zip(outputs, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("output \(index) differs:\n\(Self.text(outputs[index]))\nvs\n\(Self.text(expected[index]))")
        }
        #expect(second.pipeline.counters.usersEvicted + first.pipeline.counters.usersEvicted > 0)
    }

    static func text(_ record: OutputRecord) -> String {
        "\(record.topic) \(String(decoding: record.key ?? [], as: UTF8.self)) "
            + (record.topic.hasSuffix("table") || record.value == nil
                ? "\(record.value ?? [])" : String(decoding: record.value ?? [], as: UTF8.self))
            + " \(record.headers.map { "\($0.name)=\(String(decoding: $0.value ?? [], as: UTF8.self))" })"
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
        // Ten events change a handful of users and items (each item event also touches up to `coOccurrenceItems`
        // CF partners): far fewer records than the snapshot of every key.
        #expect(second.count - markers.count < 10 * (2 + settings.cf.coOccurrenceItems))
        #expect(second.count - markers.count < users / 2)
    }
}
