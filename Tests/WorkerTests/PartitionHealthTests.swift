import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Worker

/// Issue 19: no silent stall and no silent loss. A partition with records to read that delivers none turns the
/// worker not ready, named, until it delivers again; an offset reset after retention deleted unread records is
/// counted with the records it skipped and, with exactly-once, restores the tasks as Kafka Streams does for a
/// corrupted task.
@Suite("Partition health on the embedded cluster", .serialized)
struct PartitionHealthTests {
    @Test(arguments: [DeliveryGuarantee.exactlyOnce, .atLeastOnce])
    func anOffsetResetPastDeletedRecordsIsCountedAndHandled(guarantee: DeliveryGuarantee) throws {
        var deployment = try TestDeployment(group: "it-offset-reset-\(guarantee.rawValue)", partitions: 1)
        deployment.options.guarantee = guarantee
        let input = TopicPartition(topic: deployment.options.topics.input, partition: 0)
        let events = ExactlyOnceTests.events(100)
        try deployment.publish(events)
        let first = try deployment.runWorker(untilConsumed: events.count)
        #expect(first.offsetResets.isEmpty)

        // While no worker runs, 7 MB more arrive: the embedded broker keeps 5 MB per partition and deletes the
        // oldest, among them every record after the first run's checkpoint.
        let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 50_000)
        try deployment.publish([], raw: (0..<140).map { ("filler-\($0)", filler) })
        let reader = try KafkaPartitionReader(configuration: deployment.options.kafka)
        let log = try reader.offsetRange(of: input)
        #expect(log.lowerBound > Int64(events.count), "retention deleted records the worker had not read")

        let second = try deployment.runWorker(
            untilConsumed: 0,
            until: {
                ($0.offsetResets[input] ?? 0) >= 1 && $0.recordsConsumed >= Int(log.upperBound - log.lowerBound)
                    && $0.queuedRecords == 0
            })
        #expect(!second.failed)
        #expect(second.offsetResets[input] == 1)
        #expect(second.recordsSkippedByReset[input] == Int(log.lowerBound) - events.count)
        #expect(second.recordsConsumed >= Int(log.upperBound - log.lowerBound), "it read on from the log's start")
        switch guarantee {
        case .exactlyOnce:
            #expect(second.checkpointsAborted >= 1, "the corrupted tasks' transaction was aborted, they were restored")
        case .atLeastOnce:
            #expect(second.checkpointsAborted == 0, "at-least-once goes on with the state it has")
        }
    }

    @Test func aPartitionThatDeliversNothingMakesTheWorkerNotReadyUntilItDeliversAgain() throws {
        var deployment = try TestDeployment(group: "it-stall", partitions: 2, brokers: 2)
        let topics = deployment.options.topics
        let stalledPartition = TopicPartition(topic: topics.input, partition: 0)
        // Input partition 0 on broker 2, everything else (coordinators too) on broker 1.
        for specification in topics.specifications {
            for partition in 0..<Int32(specification.partitions) {
                let broker: Int32 =
                    TopicPartition(topic: specification.name, partition: partition) == stalledPartition
                    ? 2 : 1
                try deployment.cluster.setLeader(of: specification.name, partition: partition, to: broker)
            }
        }
        try deployment.cluster.setCoordinator("group", key: deployment.options.kafka.groupID!, to: 1)
        try deployment.cluster.setCoordinator("transaction", key: deployment.options.transactionalID, to: 1)
        deployment.options.stallTimeoutMilliseconds = 1_500
        deployment.options.kafka.properties["statistics.interval.ms"] = "300"
        // A few records per fetch, and broker 2 answers each fetch 4 s late: partition 0 has lag and delivers
        // nothing for longer than the stall timeout between two answers.
        deployment.options.kafka.properties["fetch.message.max.bytes"] = "2048"
        let events = ExactlyOnceTests.events(2_000)
        // In small batches: the broker answers a fetch with at least one whole batch, so each answer brings one.
        for start in stride(from: 0, to: events.count, by: 50) {
            try deployment.publish(Array(events[start..<min(start + 50, events.count)]))
        }
        try deployment.cluster.setRoundTripTime(of: 2, milliseconds: 4_000)

        var sawStall: WorkerStatistics?
        let statistics = try deployment.runWorker(
            untilConsumed: events.count,
            whileRunning: { worker in
                let deadline = Date().addingTimeInterval(60)
                while sawStall == nil, Date() < deadline {
                    let now = worker.statistics
                    if now.stalledPartitions == [stalledPartition] { sawStall = now }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                try deployment.cluster.setRoundTripTime(of: 2, milliseconds: 0)
            },
            until: { $0.recordsConsumed >= events.count && $0.stalledPartitions.isEmpty && $0.ready })
        let stall = try #require(sawStall, "partition 0 was never reported stalled")
        #expect(!stall.ready, "a stalled partition makes the worker not ready")
        #expect(!stall.stalled, "the checkpoints went on: the partition, not the worker, was stalled")
        #expect((stall.consumerLag[stalledPartition] ?? 0) > 0)
        // The run ended by its condition — ready again, nothing stalled — which a timeout would have failed.
        #expect(statistics.stalledPartitions.isEmpty)
        #expect(statistics.recordsConsumed >= events.count)
    }
}
