import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Worker

/// Issue 9, part 1: a dead-letter topic that cannot be written stops the worker with an error that says so; the bad
/// record is not skipped — once the topic exists, a restarted worker puts it there.
@Suite("Dead-letter topic on the embedded cluster", .serialized)
struct DeadLetterTopicTests {
    @Test func aMissingDeadLetterTopicStopsTheWorkerAndTheRecordIsNotSkipped() throws {
        var deployment = try TestDeployment(group: "it-missing-dlq")
        deployment.options.topics.outputs.deadLetter = "missing-dlq"
        deployment.cluster.setTopicError("missing-dlq", code: 3)  // UNKNOWN_TOPIC_OR_PART
        deployment.options.kafka.properties["topic.metadata.propagation.max.ms"] = "1000"  // believe it at once
        let events = WorkerIntegrationTests.events().prefix(200)
        try deployment.publish(Array(events[..<100]), raw: [("bad", Array("not an event".utf8))])
        try deployment.publish(Array(events[100...]))

        let worker = try Worker(options: deployment.options)
        let stop = StopSignal()
        let job = BackgroundJob(name: "no-dlq-worker") { try worker.run(until: stop) }
        let deadline = Date().addingTimeInterval(60)
        while !job.isFinished, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        stop.stop()
        let failure = try #require(job.failure as? KafkaError, "the worker must stop on its own")
        #expect(failure.isFatal)
        #expect(failure.message.contains("missing-dlq"))
        #expect(failure.message.contains("create the topic"))
        #expect(worker.statistics.failed)

        // Fixed: the topic exists. A new worker resumes from the last checkpoint, which cannot be past the record.
        deployment.cluster.setTopicError("missing-dlq", code: 0)
        _ = try deployment.runWorker(
            untilConsumed: 0, until: { $0.pipeline.deadLettered >= 1 && $0.queuedRecords == 0 })
        let dead = try deployment.readAll("missing-dlq")
        #expect(dead.map { text($0.key) } == ["bad"])
        #expect(dead.first.map { text($0.header(OutputHeaders.errorClass)) } == "wrongColumnCount")
    }
}
