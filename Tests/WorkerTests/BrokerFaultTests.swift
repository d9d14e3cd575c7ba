import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Worker

/// A misbehaving cluster: the worker waits and retries, says it is not ready while it cannot make progress, and
/// afterwards every output is there once (de-duplicated by id: the embedded broker shows aborted copies).
@Suite("Broker faults on the embedded cluster", .serialized)
struct BrokerFaultTests {
    /// Feeds one per event, each id with one payload; window features each with one payload.
    static func expectCompleteOutputs(_ deployment: TestDeployment, events: Int) throws {
        let all = try deployment.readAll("recommendations")
        let feeds = ExactlyOnceTests.byID(all.filter { isEventFeed($0) }, ignoring: ["items", "model"])
        #expect(feeds.count == events)
        #expect(feeds.values.allSatisfy { Set($0).count == 1 })
        let features = ExactlyOnceTests.byID(try deployment.readAll("user-features"))
        #expect(!features.isEmpty)
        #expect(features.values.allSatisfy { Set($0).count == 1 })
    }

    @Test func aBrokerDownForThirtySecondsIsWaitedOut() throws {
        var deployment = try TestDeployment(group: "fault-down", partitions: 2)
        deployment.options.stallTimeoutMilliseconds = 5_000
        let events = ExactlyOnceTests.events(3_000)
        try deployment.publish(Array(events[..<1_500]))
        var readiness: [Bool] = []
        let statistics = try deployment.runWorker(
            untilConsumed: events.count, settleSeconds: 2,
            whileRunning: { worker in
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) {
                    $0.recordsConsumed >= 1_500 && $0.commits >= 2
                }
                readiness.append(worker.statistics.ready)
                try deployment.cluster.setBrokerDown(1)
                let back = Date().addingTimeInterval(30)
                while Date() < back {
                    readiness.append(worker.statistics.ready)
                    Thread.sleep(forTimeInterval: 0.5)
                }
                try deployment.cluster.setBrokerUp(1)
                try deployment.publish(Array(events[1_500...]))
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) {
                    $0.recordsConsumed >= events.count && $0.ready
                }
                readiness.append(worker.statistics.ready)
            })
        #expect(readiness.first == true)
        #expect(readiness.contains(false), "not ready while the broker is down")
        #expect(readiness.last == true)
        #expect(!statistics.failed)
        try Self.expectCompleteOutputs(deployment, events: events.count)
    }

    @Test func requestErrorsOnProduceCommitAndTransactionsAreRetried() throws {
        let deployment = try TestDeployment(group: "fault-errors", partitions: 2)
        let events = ExactlyOnceTests.events(3_000)
        try deployment.publish(Array(events[..<1_000]))
        let statistics = try deployment.runWorker(
            untilConsumed: events.count, settleSeconds: 2,
            whileRunning: { worker in
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) { $0.commits >= 2 }
                // Retriable broker errors: NOT_LEADER_OR_FOLLOWER (6), REQUEST_TIMED_OUT (7),
                // COORDINATOR_LOAD_IN_PROGRESS (14), COORDINATOR_NOT_AVAILABLE (15), NOT_COORDINATOR (16).
                deployment.cluster.failNextRequests(.produce, with: [6, 7, 6])
                deployment.cluster.failNextRequests(.addPartitionsToTransaction, with: [15, 14])
                deployment.cluster.failNextRequests(.transactionOffsetCommit, with: [16, 14])
                deployment.cluster.failNextRequests(.endTransaction, with: [15, 16])
                try deployment.publish(Array(events[1_000...]))
            })
        #expect(!statistics.failed)
        #expect(statistics.recordsConsumed >= events.count)
        try Self.expectCompleteOutputs(deployment, events: events.count)
    }

    @Test func aLeaderChangeIsFollowed() throws {
        let deployment = try TestDeployment(group: "fault-leader", partitions: 2, brokers: 3)
        let events = ExactlyOnceTests.events(3_000)
        try deployment.publish(Array(events[..<1_000]))
        let topics = deployment.options.topics
        let statistics = try deployment.runWorker(
            untilConsumed: events.count, settleSeconds: 2,
            whileRunning: { worker in
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) { $0.commits >= 2 }
                for (index, topic) in [topics.input, topics.outputs.recommendations, topics.outputs.itemShuffle]
                    .enumerated()
                {
                    for partition in Int32(0)..<2 {
                        try deployment.cluster.setLeader(
                            of: topic, partition: partition, to: Int32(1 + (index + 1) % 3))
                    }
                }
                try deployment.publish(Array(events[1_000...]))
            })
        #expect(!statistics.failed)
        try Self.expectCompleteOutputs(deployment, events: events.count)
    }
}
