import Crypto
import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Topology
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

/// Issue 19, part 1: a record whose dead-letter copy would not fit the producer is no poison pill — the copy is cut
/// to `--max-record-bytes` with the original's size, digest and position, and the worker goes on.
@Suite("Oversized records on the embedded cluster", .serialized)
struct OversizedRecordTests {
    @Test func recordsAtAndAboveTheProducerLimitAreDeadLetteredTruncatedAndTheWorkerGoesOn() throws {
        let deployment = try TestDeployment(group: "it-oversized")
        let limit = deployment.options.pipeline.maxRecordBytes
        // One at the producer's own limit (what any default client can write), one above it (a client with a
        // higher message.max.bytes, as kcat's defaults allow).
        let atLimit = [UInt8](repeating: UInt8(ascii: "a"), count: KafkaConfiguration.defaultMessageMaxBytes - 1_000)
        let aboveLimit = [UInt8](repeating: UInt8(ascii: "b"), count: 2 * KafkaConfiguration.defaultMessageMaxBytes)
        let events = WorkerIntegrationTests.events().prefix(200)
        try deployment.publish(Array(events[..<100]))
        var large = KafkaConfiguration(bootstrapServers: deployment.cluster.bootstrapServers)
        large.properties["message.max.bytes"] = String(3 * KafkaConfiguration.defaultMessageMaxBytes)
        let producer = try KafkaProducer(configuration: large)
        let publisher = EventPublisher(producer: producer, topic: deployment.options.topics.input)
        try publisher.publishRaw(key: "at-limit", value: atLimit)
        try publisher.publishRaw(key: "above-limit", value: aboveLimit)
        try producer.flush()
        try deployment.publish(Array(events[100...]))

        let statistics = try deployment.runWorker(untilConsumed: 202)
        #expect(!statistics.failed)
        #expect(statistics.recordsConsumed >= 202)
        #expect(statistics.pipeline.deadLettersByReason[.recordTooLarge] == 2)
        #expect(statistics.pipeline.eventsProcessed == 200)

        let dead = try deployment.readAll(deployment.options.topics.outputs.deadLetter, atLeast: 2)
        #expect(Set(dead.map { text($0.key) }) == ["at-limit", "above-limit"])
        for (letter, original) in zip(dead.sorted { text($0.key) > text($1.key) }, [atLimit, aboveLimit]) {
            let copied = (letter.key?.count ?? 0) + (letter.value?.count ?? 0)
            #expect(copied <= limit, "the copy is bounded by --max-record-bytes")
            #expect(letter.value.map { original.starts(with: $0) } == true, "the first bytes are kept")
            let originalSize = (letter.key?.count ?? 0) + original.count
            #expect(text(letter.header(OutputHeaders.originalBytes)) == String(originalSize))
            let digest = SHA256.hash(data: original).map { String(format: "%02x", $0) }.joined()
            #expect(text(letter.header(OutputHeaders.originalValueSHA256)) == digest)
            #expect(text(letter.header(OutputHeaders.source)).hasPrefix("\(deployment.options.topics.input):"))
            #expect(text(letter.header(OutputHeaders.errorClass)) == "recordTooLarge")
        }
    }

    @Test func aRecordLimitTheProducerCannotCopyIsRefusedAtStartWithWhatToChange() throws {
        var options = try WorkerOptions.embedded(EmbeddedCluster(brokers: 1), group: "it-limits", partitions: 1)
        options.pipeline.maxRecordBytes = KafkaConfiguration.defaultMessageMaxBytes
        #expect {
            try Worker(options: options)
        } throws: { error in
            let message = "\(error)"
            return message.contains("lower --max-record-bytes") && message.contains("message.max.bytes=")
        }
        options.kafka.properties["message.max.bytes"] = String(2 * KafkaConfiguration.defaultMessageMaxBytes)
        _ = try Worker(options: options)
    }
}
