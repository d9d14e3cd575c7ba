import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Worker

/// A slow output: the outputs' broker answers late, the producer's bounded queue fills, lanes wait for it, and the
/// poll loop stops taking input (pausing the partitions of a lane that stays full) instead of queueing more.
@Suite("Backpressure on the embedded cluster", .serialized)
struct BackpressureTests {
    @Test func aSlowOutputPausesInputInsteadOfGrowingQueues() throws {
        var deployment = try TestDeployment(group: "backpressure", partitions: 2, brokers: 2)
        let limit = 500
        deployment.options.maxQueuedPerLane = limit
        deployment.options.maxBatchSize = 200
        deployment.options.lanes = 2
        deployment.options.guarantee = .atLeastOnce
        // Three CF pairs per event, not the default 20: the shuffle then carries 4 records per event, which the
        // embedded broker's ~5 MB per partition keeps while the slow broker holds the worker back (with 21 per event
        // its retention dropped shuffle records before they were read — an offset reset, not backpressure).
        deployment.options.pipeline.cf.coOccurrenceItems = 3
        // A small producer queue, so a slow broker is felt within a few hundred records.
        deployment.options.kafka.properties["queue.buffering.max.messages"] = "300"
        let topics = deployment.options.topics
        // Input on broker 1, every output on broker 2, which answers 300 ms late.
        for topic in topics.specifications.map(\.name) {
            for partition in 0..<Int32(topics.specifications.first { $0.name == topic }!.partitions) {
                try deployment.cluster.setLeader(of: topic, partition: partition, to: topic == topics.input ? 1 : 2)
            }
        }
        let events = ExactlyOnceTests.events(12_000)
        try deployment.publish(events)
        try deployment.cluster.setRoundTripTime(of: 2, milliseconds: 300)
        var maxQueued = 0
        var maxPaused = 0
        var consumedWhileSlow = 0
        let statistics = try deployment.runWorker(
            untilConsumed: events.count,
            whileRunning: { worker in
                let slowUntil = Date().addingTimeInterval(12)
                while Date() < slowUntil {
                    let now = worker.statistics
                    maxQueued = max(maxQueued, now.queuedRecords)
                    maxPaused = max(maxPaused, now.pausedPartitions)
                    consumedWhileSlow = now.recordsConsumed
                    Thread.sleep(forTimeInterval: 0.02)
                }
                try deployment.cluster.setRoundTripTime(of: 2, milliseconds: 0)
            },
            until: {
                $0.recordsConsumed == events.count && $0.pipeline.itemEventsProcessed >= $0.pipeline.eventsProcessed
                    && $0.queuedRecords == 0 && $0.pausedPartitions == 0
            })
        // The queues stay within their bounds: per lane the limit plus one poll batch.
        #expect(maxQueued <= 2 * limit + deployment.options.maxBatchSize)
        #expect(maxPaused > 0, "a lane that stayed full had its partitions paused")
        // While slow, the worker read far less than was there to read.
        #expect(consumedWhileSlow < events.count / 2)
        #expect(statistics.recordsConsumed == events.count)
        #expect(statistics.pausedPartitions == 0)
        // Nothing lost on the way: every event processed and its feed handed to the producer. (Not read back: the
        // hottest users' lists fill one partition past the embedded broker's ~5 MB retention, which then drops the
        // oldest; the fault tests and the crash test read their outputs back.)
        #expect(statistics.pipeline.eventsProcessed == events.count)
        #expect(statistics.pipeline.recommendationsEmitted >= events.count)
    }
}
