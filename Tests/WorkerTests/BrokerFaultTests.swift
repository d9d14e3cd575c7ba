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
        let all = try deployment.readAll("recommendations", atLeast: events)
        let feeds = ExactlyOnceTests.byID(all.filter { isEventFeed($0) }, ignoring: ["items", "model"])
        #expect(feeds.count == events)
        #expect(feeds.values.allSatisfy { Set($0).count == 1 })
        let features = ExactlyOnceTests.byID(try deployment.readAll("user-features"))
        #expect(!features.isEmpty)
        #expect(features.values.allSatisfy { Set($0).count == 1 })
    }

    /// Every event processed, re-keyed and through its item task, nothing queued, and windows closed: what
    /// `expectCompleteOutputs` reads back.
    static func settled(_ deployment: TestDeployment, _ events: Int) -> (WorkerStatistics) -> Bool {
        {
            $0.recordsConsumed >= events && deployment.caughtUp($0)
                && $0.pipeline.itemEventsProcessed >= $0.pipeline.eventsProcessed && $0.queuedRecords == 0
                && $0.pipeline.featuresEmitted > 0
        }
    }

    @Test func aBrokerDownForThirtySecondsIsWaitedOut() throws {
        var deployment = try TestDeployment(group: "fault-down", partitions: 2)
        deployment.options.stallTimeoutMilliseconds = 5_000
        let events = ExactlyOnceTests.events(3_000)
        try deployment.publish(Array(events[..<1_500]))
        var readiness: [Bool] = []
        var sawBrokersDown = false
        let statistics = try deployment.runWorker(
            untilConsumed: events.count,
            whileRunning: { worker in
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) {
                    $0.recordsConsumed >= 1_500 && $0.commits >= 2
                }
                readiness.append(worker.statistics.ready)
                try deployment.cluster.setBrokerDown(1)
                let back = Date().addingTimeInterval(30)
                while Date() < back {
                    let now = worker.statistics
                    readiness.append(now.ready)
                    sawBrokersDown = sawBrokersDown || !now.brokersReachable
                    Thread.sleep(forTimeInterval: 0.5)
                }
                try deployment.cluster.setBrokerUp(1)
                try deployment.publish(Array(events[1_500...]))
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) {
                    $0.recordsConsumed >= events.count && $0.ready
                }
                readiness.append(worker.statistics.ready)
            }, until: Self.settled(deployment, events.count))
        #expect(readiness.first == true)
        #expect(readiness.contains(false), "not ready while the broker is down")
        #expect(sawBrokersDown, "the fault happened: the worker saw no broker it could reach")
        #expect(readiness.last == true)
        #expect(!statistics.failed)
        try Self.expectCompleteOutputs(deployment, events: events.count)
    }

    /// Runs a worker over 3 000 events; `fault` strikes after two checkpoints, before the last 2 000 events are sent.
    static func survive(
        _ group: String, brokers: Int = 1, fault: (TestDeployment) throws -> Void,
        whileRunning afterFault: (Worker) throws -> Void = { _ in }
    ) throws {
        let deployment = try TestDeployment(group: group, partitions: 2, brokers: brokers)
        let events = ExactlyOnceTests.events(3_000)
        try deployment.publish(Array(events[..<1_000]))
        let statistics = try deployment.runWorker(
            untilConsumed: events.count,
            whileRunning: { worker in
                deployment.waitFor(worker, BackgroundJob(name: "noop") {}) { $0.commits >= 2 }
                try fault(deployment)
                try deployment.publish(Array(events[1_000...]))
                try afterFault(worker)
            }, until: settled(deployment, events.count))
        #expect(!statistics.failed)
        #expect(statistics.recordsConsumed >= events.count)
        try expectCompleteOutputs(deployment, events: events.count)
    }

    @Test func requestErrorsOnProduceCommitAndTransactionsAreRetried() throws {
        let kinds: [EmbeddedCluster.RequestKind] = [
            .produce, .addPartitionsToTransaction, .transactionOffsetCommit, .endTransaction,
        ]
        var cluster: EmbeddedCluster?
        try Self.survive("fault-errors") { deployment in
            // Retriable broker errors: NOT_LEADER_OR_FOLLOWER (6), REQUEST_TIMED_OUT (7),
            // COORDINATOR_LOAD_IN_PROGRESS (14), COORDINATOR_NOT_AVAILABLE (15), NOT_COORDINATOR (16).
            deployment.cluster.failNextRequests(.produce, with: [6, 7, 6])
            deployment.cluster.failNextRequests(.addPartitionsToTransaction, with: [15, 14])
            deployment.cluster.failNextRequests(.transactionOffsetCommit, with: [16, 14])
            deployment.cluster.failNextRequests(.endTransaction, with: [15, 16])
            let injected = try kinds.map { kind throws(KafkaError) in try deployment.cluster.pendingRequestErrors(kind)
            }
            #expect(injected == [3, 2, 2, 2])
            cluster = deployment.cluster
        }
        // Every injected error met a request: the faults happened, and the outputs are complete regardless.
        let left = try kinds.map { kind throws(KafkaError) in try cluster!.pendingRequestErrors(kind) }
        #expect(left == [0, 0, 0, 0])
    }

    @Test func aLeaderChangeIsFollowed() throws {
        var followed: [TopicPartition: Int32] = [:]
        var expected: [TopicPartition: Int32] = [:]
        try Self.survive(
            "fault-leader", brokers: 3,
            fault: { deployment in
                let topics = deployment.options.topics
                let moved = [topics.input, topics.outputs.recommendations, topics.outputs.itemShuffle]
                for (index, topic) in moved.enumerated() {
                    for partition in Int32(0)..<2 {
                        let leader = Int32(1 + (index + 1) % 3)
                        try deployment.cluster.setLeader(of: topic, partition: partition, to: leader)
                        if topic != topics.outputs.recommendations {  // consumed ones: their fetches show it
                            expected[TopicPartition(topic: topic, partition: partition)] = leader
                        }
                    }
                }
            },
            whileRunning: { worker in
                // The fault happened: the worker's consumer fetches every moved partition from its new leader.
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline {
                    followed = worker.statistics.partitionLeaders.filter { expected[$0.key] != nil }
                    if followed == expected { break }
                    Thread.sleep(forTimeInterval: 0.1)
                }
            })
        #expect(!expected.isEmpty)
        #expect(followed == expected, "the consumer fetches the moved partitions from their new leaders")
    }
}
