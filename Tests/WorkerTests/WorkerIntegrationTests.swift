import Evaluation
import Foundation
import Kafka
import Recommender
import StreamEngine
import Testing
import Topology
import Worker

/// A cluster with StreamRec's topics and a worker configuration pointing at it.
struct TestDeployment {
    let cluster: EmbeddedCluster
    var options: WorkerOptions
    var lanes: Int {
        get { options.lanes }
        set { options.lanes = newValue }
    }

    init(group: String, partitions: Int = 2, brokers: Int = 1) throws {
        cluster = try EmbeddedCluster(brokers: brokers)
        options = try WorkerOptions.embedded(cluster, group: group, partitions: partitions)
        options.checkpointIntervalMilliseconds = 200
        // Fresh lag for `caughtUp`.
        options.kafka.properties["statistics.interval.ms"] = "500"
    }

    /// Every input partition read to its end, by librdkafka's statistics: unlike `recordsConsumed`, which counts
    /// the records a rewind reads again, this cannot hold before the last records were read.
    func caughtUp(_ statistics: WorkerStatistics) -> Bool {
        let lags = statistics.consumerLag.filter { $0.key.topic == options.topics.input }
        return lags.count == options.topics.inputPartitions && lags.values.allSatisfy { $0 == 0 }
    }

    func publish(_ events: [BehaviorEvent], raw: [(key: String, value: [UInt8])] = []) throws {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers))
        let publisher = EventPublisher(producer: producer, topic: options.topics.input)
        for event in events { try publisher.publish(event) }
        for record in raw { try publisher.publishRaw(key: record.key, value: record.value) }
        try producer.flush()
    }

    /// Runs a worker until it consumed `count` input records and every event it re-keyed came back through the
    /// item shuffle topic — or until `done`, when given — then stops it gracefully; 60 s without fails the test.
    /// `whileRunning` runs once the worker started.
    func runWorker(
        untilConsumed count: Int, whileRunning: (Worker) throws -> Void = { _ in },
        until done: ((WorkerStatistics) -> Bool)? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> WorkerStatistics {
        let worker = try Worker(options: options)
        let stop = StopSignal()
        let job = BackgroundJob(name: "test-worker") { try worker.run(until: stop) }
        try whileRunning(worker)
        waitFor(worker, job, sourceLocation: sourceLocation) {
            done?($0)
                ?? ($0.recordsConsumed >= count && $0.pipeline.itemEventsProcessed >= $0.pipeline.eventsProcessed)
        }
        stop.stop()
        try job.join()
        return worker.statistics
    }

    /// Polls the worker's statistics until `condition` holds or the job failed (its `join` then throws); after 60 s
    /// without either, the test fails here.
    func waitFor(
        _ worker: Worker, _ job: BackgroundJob, sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (WorkerStatistics) -> Bool
    ) {
        let deadline = Date().addingTimeInterval(60)
        while !condition(worker.statistics), job.failure == nil {
            guard Date() < deadline else {
                Issue.record(
                    "timed out after 60 s waiting for the worker: \(worker.statistics)", sourceLocation: sourceLocation)
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Polls `condition` until it holds; after 120 s the test fails here, naming `what` it waited for.
    func eventually(
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool
    ) {
        let deadline = Date().addingTimeInterval(120)
        while !condition() {
            guard Date() < deadline else {
                Issue.record("timed out after 120 s waiting for \(what)", sourceLocation: sourceLocation)
                return
            }
            Thread.sleep(forTimeInterval: 1)  // conditions here read topics back: not in a tight loop
        }
    }

    /// Everything in a topic, read from the beginning until it has been quiet for a while — and, when the caller
    /// knows a lower bound, until at least `atLeast` records came (a loaded machine can pause a fetch for seconds).
    func readAll(_ topic: String, atLeast: Int = 0) throws -> [StreamRecord] {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.groupID = "reader-\(topic)-\(UUID().uuidString)"
        configuration.sessionTimeoutMilliseconds = 6_000
        configuration.heartbeatIntervalMilliseconds = 500
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe([topic])
        var messages: [StreamRecord] = []
        var quietSince = Date()
        let deadline = Date().addingTimeInterval(atLeast > 0 ? 90 : 30)
        // The first join takes a few seconds on the embedded cluster; after records stop, 1.5 s of quiet ends it.
        while Date() < deadline,
            messages.isEmpty || messages.count < atLeast
                ? Date().timeIntervalSince(quietSince) < 10
                : Date().timeIntervalSince(quietSince) < 1.5
        {
            let batch = consumer.pollBatch(timeoutMilliseconds: 100)
            if !batch.isEmpty { quietSince = Date() }
            messages += batch
        }
        try consumer.close()
        return messages
    }
}

func text(_ bytes: [UInt8]?) -> String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "" }

func json(_ message: StreamRecord) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(message.value ?? [])) as? [String: Any])
}

/// A personalized list caused by an input event (the other lists come from window closes, carts, item neighbours).
func isEventFeed(_ message: StreamRecord) -> Bool {
    guard let body = try? JSONSerialization.jsonObject(with: Data(message.value ?? [])) as? [String: Any] else {
        return false
    }
    return body["surface"] as? String == "personalized"
        && (body["trigger"] as? [String: Any])?["kind"] as? String == "event"
}

@Suite("Worker on the embedded cluster", .serialized)
struct WorkerIntegrationTests {
    /// Twenty minutes of events for 40 users, so several 5-minute windows close.
    static func events() -> [BehaviorEvent] {
        var generator = SyntheticEventGenerator(
            seed: 11, users: 40, items: 300, categories: 8, startTime: 1_700_000_000_000, eventsPerSecond: 2)
        return (0..<2_400).map { _ in generator.next() }
    }

    @Test func featuresRecommendationsAndDeadLettersAreWrittenAndCorrect() throws {
        let deployment = try TestDeployment(group: "it-outputs")
        let events = Self.events()
        let bad: [(key: String, value: [UInt8])] = [
            ("k1", Array("not json at all".utf8)),
            ("k2", Array(#"{"userId":"u1","itemId":"i1","behavior":"click"}"#.utf8)),
            ("k3", Array(#"{"userId":"u1","itemId":"i1","behavior":"teleport","timestamp":1700000000000}"#.utf8)),
        ]
        // The second half is sent once the item table (filled through Kafka) knows the items of the first half,
        // so its lists are ranked on a full table.
        try deployment.publish(Array(events[..<1_200]), raw: bad)
        let statistics = try deployment.runWorker(untilConsumed: events.count + bad.count) { worker in
            deployment.waitFor(worker, BackgroundJob(name: "noop") {}) {
                $0.recordsConsumed >= 1_203 && $0.tableItems >= 150
            }
            try deployment.publish(Array(events[1_200...]))
        }
        #expect(statistics.recordsConsumed == events.count + bad.count)
        #expect(statistics.commits > 0)
        #expect(statistics.pipeline.late == 0)

        // Dead letters: the original bytes and key, and a reason that names the problem.
        let dead = try deployment.readAll("user-behavior.dlq")
        #expect(dead.count == 3)
        let reasons = Dictionary(
            uniqueKeysWithValues: dead.map { (text($0.key), text($0.header("streamrec-error-reason"))) })
        #expect(reasons["k2"]?.contains("timestamp") == true)
        #expect(reasons["k3"]?.contains("teleport") == true)
        #expect(dead.first { text($0.key) == "k1" }?.value == Array("not json at all".utf8))
        #expect(dead.allSatisfy { text($0.header("streamrec-source")).hasPrefix("user-behavior:") })

        // One feed per good event, keyed by user, never recommending the trigger item itself; besides, lists of
        // the other surfaces, every entry with a reason.
        let lists = try deployment.readAll("recommendations")
        let ids = lists.map { text($0.header("streamrec-id")) }
        #expect(Set(ids).count == ids.count)
        let recommendations = lists.filter { isEventFeed($0) }
        #expect(recommendations.count == events.count)
        let surfaces = Set(lists.compactMap { (try? json($0))?["surface"] as? String })
        #expect(surfaces.isSuperset(of: ["personalized", "similar", "cart", "topics"]))
        for message in lists.prefix(500) {
            let items = try #require(try json(message)["items"] as? [[String: Any]])
            #expect(items.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        }
        for message in recommendations.prefix(200) {
            let body = try json(message)
            #expect(body["userId"] as? String == text(message.key))
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(items.count <= 10)
            let trigger = try #require(body["trigger"] as? [String: Any])
            #expect(!items.contains { $0["itemId"] as? String == trigger["itemId"] as? String })
            #expect(items.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        }
        #expect(recommendations.contains { message in ((try? json(message))?["items"] as? [Any])?.count == 10 })

        // User features: every closed window's counts equal a count made directly from the input.
        let features = try deployment.readAll("user-features")
        #expect(!features.isEmpty)
        var expected: [String: [String: Int]] = [:]  // "user@windowStart" -> behavior -> count
        for event in events {
            let start = event.timestamp - event.timestamp % 300_000
            expected["\(event.userId)@\(start)", default: [:]][event.behavior.rawValue, default: 0] += 1
        }
        for message in features {
            let body = try json(message)
            let user = try #require(body["userId"] as? String)
            let start = try #require(body["windowStart"] as? Int)
            #expect(body["windowEnd"] as? Int == start + 300_000)
            let counts = try #require(body["counts"] as? [String: Int])
            let want = try #require(expected["\(user)@\(start)"])
            #expect(counts.filter { $0.value > 0 } == want)
        }
        // Windows well before the last watermark must all have fired.
        let lastTime = events.map(\.timestamp).max()!
        let mustHaveFired = expected.keys.filter { key in
            Int64(key.split(separator: "@")[1])! + 300_000 <= lastTime - 10_000
        }
        let fired = Set(try features.map { try "\(json($0)["userId"]!)@\(json($0)["windowStart"]!)" })
        #expect(Set(mustHaveFired).isSubset(of: fired))
    }

    @Test func aSlowLaneGetsItsPartitionsPausedAndItsQueueStaysBounded() throws {
        var deployment = try TestDeployment(group: "it-backpressure")
        deployment.lanes = 1
        deployment.options.maxQueuedPerLane = 300
        try deployment.publish(Array(Self.events()[..<1_500]))
        // A slow output: every record the lane emits takes 2 ms.
        let worker = try Worker(options: deployment.options, observer: { _ in Thread.sleep(forTimeInterval: 0.002) })
        let stop = StopSignal()
        let job = BackgroundJob(name: "slow-worker") { try worker.run(until: stop) }
        var mostQueued = 0
        var mostPaused = 0
        let deadline = Date().addingTimeInterval(90)
        while worker.statistics.pipeline.eventsProcessed < 1_500, Date() < deadline, job.failure == nil {
            let statistics = worker.statistics
            mostQueued = max(mostQueued, statistics.queuedRecords)
            mostPaused = max(mostPaused, statistics.pausedPartitions)
            Thread.sleep(forTimeInterval: 0.01)
        }
        stop.stop()
        try job.join()
        #expect(worker.statistics.pipeline.eventsProcessed == 1_500)
        #expect(mostPaused > 0)
        // The bound plus at most one poll batch (maxBatchSize) on top.
        #expect(mostQueued <= 300 + deployment.options.maxBatchSize)
    }

    @Test func theItemCatalogGivesCategoriesToEventsThatLackThem() throws {
        let deployment = try TestDeployment(group: "it-catalog")
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: deployment.cluster.bootstrapServers))
        try producer.send(
            OutputRecord(
                topic: "item-catalog", key: Array("lonely".utf8), value: Array(#"{"categoryId":"from-catalog"}"#.utf8)))
        try producer.flush()
        let statistics = try deployment.runWorker(untilConsumed: 3) { worker in
            deployment.waitFor(worker, BackgroundJob(name: "noop") {}) { $0.tableItems >= 1 }
            try deployment.publish(
                (1...3).map {
                    BehaviorEvent(userId: "u\($0)", itemId: "lonely", behavior: .view, timestamp: Int64($0) * 1_000)
                })
        }
        #expect(statistics.pipeline.eventsProcessed == 3)
        let shuffled = try deployment.readAll("streamrec-item-shuffle").filter { $0.value != nil }
        #expect(shuffled.count == 3)
        #expect(shuffled.allSatisfy { text($0.value).contains(#""categoryId":"from-catalog""#) })
    }

    @Test func aRestartedWorkerResumesAtTheCommittedOffsets() throws {
        let deployment = try TestDeployment(group: "it-restart")
        let events = Self.events()
        try deployment.publish(Array(events[..<1_000]))
        let first = try deployment.runWorker(untilConsumed: 1_000)
        #expect(first.recordsConsumed == 1_000)

        try deployment.publish(Array(events[1_000..<1_500]))
        let second = try deployment.runWorker(untilConsumed: 500)
        // The first worker committed on its way out, so the second reads only the new records.
        #expect(second.recordsConsumed == 500)
        let recommendations = try deployment.readAll("recommendations").filter { isEventFeed($0) }
        #expect(recommendations.count == 1_500)
    }
}

@Suite("Kafka path equals the file path", .serialized)
struct KafkaEqualsReplayTests {
    /// Four input partitions, two lanes: the user and item feature records written through Kafka (with the item
    /// shuffle going through the broker) are exactly those the in-process runner computes from the same events.
    @Test func featureRecordsAreIdenticalToTheLocalRunners() throws {
        var deployment = try TestDeployment(group: "it-equal", partitions: 4)
        deployment.lanes = 2
        var generator = SyntheticEventGenerator(
            seed: 5, users: 80, items: 200, categories: 5, startTime: 1_700_000_000_000, eventsPerSecond: 3)
        let events = (0..<4_000).map { _ in generator.next() }
        try deployment.publish(events)
        var runner = LocalRunner(settings: deployment.options.effectivePipeline)
        var expected: [String: [String]] = [:]
        var sequencer = InputSequencer(partitions: 4)
        for event in events {
            runner.process(sequencer.record(for: event)) { output in
                expected[output.topic, default: []].append(text(output.value))
            }
        }
        // Until every window the runner closed closed here too: the last ones close on progress records that trail
        // the last events through the shuffle topic.
        let statistics = try deployment.runWorker(
            untilConsumed: events.count,
            until: {
                $0.recordsConsumed >= events.count
                    && $0.pipeline.featuresEmitted >= expected["user-features", default: []].count
                    && $0.pipeline.itemFeaturesEmitted >= expected["item-features", default: []].count
            })
        #expect(statistics.pipeline.late == 0)
        for topic in ["user-features", "item-features"] {
            let written = try deployment.readAll(topic).map { text($0.value) }
            #expect(!written.isEmpty)
            #expect(written.sorted() == expected[topic, default: []].sorted(), "\(topic) differs")
        }
        // An item bought by users of several input partitions is counted in one place, completely.
        let multiPartitionItem = Dictionary(grouping: events, by: \.itemId).first { _, itemEvents in
            Set(itemEvents.map { KeyPartitioner.partition(for: Array($0.userId.utf8), partitionCount: 4) }).count == 4
        }
        #expect(multiPartitionItem != nil)
    }
}
