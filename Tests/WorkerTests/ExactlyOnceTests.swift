import Evaluation
import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Topology
import Worker

/// Checkpoints through Kafka in one process: an aborted transaction, and partitions moving between instances. (The
/// crash test with killed processes is `scripts/crash_test.py`.)
@Suite("Exactly-once on the embedded cluster", .serialized)
struct ExactlyOnceTests {
    static func events(_ count: Int) -> [BehaviorEvent] {
        var generator = SyntheticEventGenerator(
            seed: 21, users: 60, items: 200, categories: 6, startTime: 1_700_000_000_000, eventsPerSecond: 3)
        return (0..<count).map { _ in generator.next() }
    }

    /// Every record of a topic by id; the embedded broker shows aborted copies, so an id may come more than once.
    /// Payloads by id; `ignoring` drops JSON fields that legitimately differ between two sends of one record.
    static func byID(_ records: [StreamRecord], ignoring: Set<String> = []) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for record in records {
            let id = record.headers.first { $0.name == OutputHeaders.id }.map { text($0.value) } ?? ""
            var payload = text(record.value)
            if !ignoring.isEmpty,
                var object = try? JSONSerialization.jsonObject(with: Data(record.value ?? [])) as? [String: Any]
            {
                for field in ignoring { object[field] = nil }
                payload = text(
                    Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()))
            }
            result[id, default: []].append(payload)
        }
        return result
    }

    @Test func anAbortedCheckpointIsRedoneFromTheLastOneWithTheSameIDs() throws {
        let deployment = try TestDeployment(group: "eos-abort", partitions: 2)
        let events = Self.events(3_000)
        try deployment.publish(Array(events[..<1_500]))
        // Done once the input is read and processed after the abort: after the rewind the item tasks drop the
        // shuffle records they already had, so the usual "every event reached its item task" test never holds.
        let statistics = try deployment.runWorker(
            untilConsumed: events.count,
            whileRunning: { worker in
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) { $0.commits >= 2 }
                // The broker refuses to add a partition to the next transaction (TOPIC_AUTHORIZATION_FAILED, a request
                // only a transactional producer sends): the transaction can only be aborted, and the tasks go back to
                // their last checkpoint.
                deployment.cluster.failNextRequests(.addPartitionsToTransaction, with: [29])
                try deployment.publish(Array(events[1_500...]))
                // While it runs: every event's feed written (the records that failed with the aborted transaction
                // are sent again after the rewind).
                deployment.eventually("a feed for each of the \(events.count) events") {
                    let written = (try? deployment.readAll("recommendations", atLeast: events.count)) ?? []
                    return Self.byID(written.filter { isEventFeed($0) }).count >= events.count
                }
            },
            until: { $0.checkpointsAborted >= 1 && $0.queuedRecords == 0 && $0.pipeline.featuresEmitted > 0 })
        #expect(statistics.checkpointsAborted >= 1)
        // The tasks were rebuilt from their checkpoints (none existed at the start, so these are the rewind's).
        #expect(statistics.tasksRestored >= 1)
        let all = try deployment.readAll("recommendations", atLeast: events.count)
        let recommendations = Self.byID(all.filter { isEventFeed($0) }, ignoring: ["items", "model"])
        // One feed per event, each under one id with one payload, however often it was sent. (The ranked items and
        // the model depend on the global item table and the model registry, which fill asynchronously; the rest of
        // a list is determined by the input.)
        #expect(recommendations.count == events.count)
        #expect(recommendations.values.allSatisfy { Set($0).count == 1 })
        let ambiguous = Self.byID(all, ignoring: ["items", "model"]).filter { Set($0.value).count > 1 }
        #expect(ambiguous.isEmpty, "e.g. \(ambiguous.first.map { "\($0.key): \(Set($0.value))" } ?? "")")
        let features = Self.byID(try deployment.readAll("user-features"))
        #expect(!features.isEmpty)
        #expect(features.values.allSatisfy { Set($0).count == 1 })
    }

    /// One instance, then a second joins mid-stream, then the first leaves: the window results are those of one
    /// instance processing everything (the local runner), because state moves with its partitions.
    @Test func windowsContinueWhereTheyWereWhenPartitionsMoveBetweenInstances() throws {
        var deployment = try TestDeployment(group: "eos-rebalance", partitions: 4)
        deployment.options.pipeline.idleTimeout = nil
        let events = Self.events(6_000)
        var first = deployment.options
        first.instanceID = "first"
        var second = deployment.options
        second.instanceID = "second"
        let one = try Worker(options: first)
        let two = try Worker(options: second)
        let (stopOne, stopTwo) = (StopSignal(), StopSignal())
        let jobOne = BackgroundJob(name: "first") { try one.run(until: stopOne) }
        try deployment.publish(Array(events[..<2_000]))
        deployment.waitFor(one, jobOne) { $0.recordsConsumed >= 2_000 }
        let started = Date()
        defer { print("rebalance test took \(Date().timeIntervalSince(started)) s after the first instance caught up") }
        let jobTwo = BackgroundJob(name: "second") { try two.run(until: stopTwo) }
        deployment.waitFor(two, jobTwo) { !$0.assignedPartitions.isEmpty || !$0.assignedShufflePartitions.isEmpty }
        try deployment.publish(Array(events[2_000..<4_000]))
        deployment.waitFor(two, jobTwo) { $0.recordsConsumed + $0.shuffleRecordsConsumed > 0 }
        stopOne.stop()
        try jobOne.join()
        try deployment.publish(Array(events[4_000...]))
        deployment.waitFor(two, jobTwo) { $0.assignedPartitions.count == 4 && $0.assignedShufflePartitions.count == 4 }
        var runner = LocalRunner(settings: deployment.options.effectivePipeline)
        var expected: [String: Set<String>] = [:]
        var sequencer = InputSequencer(partitions: 4)
        for event in events {
            runner.process(sequencer.record(for: event)) { expected[$0.topic, default: []].insert(text($0.value)) }
        }
        // Until every window the runner closes is in the topics: the last ones close on progress records that reach
        // the second instance after it took every partition over.
        for topic in ["user-features", "item-features"] {
            let wanted = expected[topic, default: []].count
            deployment.eventually("\(wanted) windows in \(topic)") {
                Self.byID((try? deployment.readAll(topic)) ?? []).count >= wanted
            }
        }
        stopTwo.stop()
        try jobTwo.join()
        #expect(two.statistics.tasksRestored > 0)

        for topic in ["user-features", "item-features"] {
            let written = Self.byID(try deployment.readAll(topic))
            #expect(written.values.allSatisfy { Set($0).count == 1 }, "\(topic): an id with two payloads")
            #expect(Set(written.values.map { $0[0] }) == expected[topic, default: []], "\(topic) differs")
        }
    }
}
