import ArgumentParser
import Foundation
import Kafka
import Recommender
import StreamEngine
import Worker

/// `streamrec bench`: how fast the pipeline runs on this machine, always against a baseline measured in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput against a same-run baseline: offline (decode vs. full pipeline, bytes per user) "
            + "or end to end on the embedded Kafka cluster (bare consumer vs. the worker with 1, 2, ... lanes).")

    @Option(help: "Events to process.") var events = 500_000
    @Option(help: "Users, items and categories of the generated events.") var users = 50_000
    @Option var items = 50_000
    @Option var categories = 100
    @Flag(help: "End to end on the embedded Kafka cluster instead of in process.") var kafka = false
    @Option(help: "Lane counts to measure, comma-separated.") var lanes = "1,2"
    @Option(help: "Input partitions with --kafka (the embedded cluster keeps ~5 MB per partition).")
    var partitions = 16
    @Option(help: "Delivery guarantees to measure with --kafka, comma-separated.")
    var guarantees = "at-least-once,exactly-once"
    @Option(help: "Records queued per lane before its partitions are paused (with --kafka).")
    var maxQueuedPerLane = WorkerOptions(kafka: KafkaConfiguration(bootstrapServers: "")).maxQueuedPerLane

    func run() throws {
        var generator = SyntheticEventGenerator(
            seed: 3, users: users, items: items, categories: categories, eventsPerSecond: 1_000)
        let generated = (0..<events).map { _ in generator.next() }
        if kafka { try runOnKafka(generated) } else { try runOffline(generated) }
    }

    private func runOffline(_ generated: [BehaviorEvent]) throws {
        let laneCounts = try parsedLanes()
        // Keyed by user as a producer would send them, so each user lives in one partition.
        var sequencer = InputSequencer(partitions: 4)
        let records = generated.map { sequencer.record(for: $0) }
        var decoded = 0
        let allocationsBeforeDecode = Self.allocationCount()
        let decodeTime = ContinuousClock().measure {
            for record in records where (try? EventCodec.decode(record.value!, format: .auto)) != nil { decoded += 1 }
        }
        let allocationsBeforePipeline = Self.allocationCount()
        // As the worker runs it: state changes tracked for checkpoints, and room for every generated user.
        var settings = PipelineSettings()
        settings.checkpointing = true
        settings.maxUsersPerTask = max(settings.maxUsersPerTask, users)
        var runner = LocalRunner(settings: settings)
        var produced = 0
        let residentBefore = residentBytes()
        let pipelineTime = ContinuousClock().measure {
            for record in records { runner.process(record) { _ in produced += 1 } }
        }
        let allocationsAfterPipeline = Self.allocationCount()
        let residentAfter = residentBytes()
        let decodeRate = Double(decoded) / decodeTime.inSeconds
        let pipelineRate = Double(events) / pipelineTime.inSeconds
        let activeUsers = runner.pipeline.userCount
        print("events                 \(events) (\(users) users, \(items) items, \(categories) categories)")
        print("decode only (baseline) \(Int(decodeRate)) events/s")
        print("full pipeline, no lanes \(Int(pipelineRate)) events/s, \(produced) outputs (incl. shuffle and table)")
        print("ratio pipeline/decode  \(String(format: "%.3f", pipelineRate / decodeRate))")
        if let hotPaths = Self.hotPathAllocations(records) { print(hotPaths) }
        if let before = allocationsBeforeDecode, let middle = allocationsBeforePipeline,
            let after = allocationsAfterPipeline
        {
            let perDecode = Double(middle - before) / Double(events)
            let perEvent = Double(after - middle) / Double(events)
            print(
                "heap allocations       \(String(format: "%.1f", perDecode)) per decode, "
                    + "\(String(format: "%.1f", perEvent)) per event through the whole pipeline "
                    + "(\(String(format: "%.1f", Double(produced) / Double(events))) outputs per event)")
        }
        var first: Double?
        for count in laneCounts {
            let runner = ParallelLocalRunner(settings: PipelineSettings(), lanes: count) { _ in }
            let time = ContinuousClock().measure {
                for start in stride(from: 0, to: records.count, by: 1_000) {
                    while runner.queuedRecords > 50_000 { Thread.sleep(forTimeInterval: 0.001) }
                    runner.submit(Array(records[start..<min(start + 1_000, records.count)]))
                }
                runner.waitUntilIdle()
            }
            runner.stop()
            let rate = Double(events) / time.inSeconds
            first = first ?? rate
            print(
                "engine on \(count) lane(s)     \(Int(rate)) events/s, \(String(format: "%.2f", rate / first!))× the first "
                    + "lane count")
        }
        print(
            "resident memory        +\((residentAfter - residentBefore) / 1_048_576) MiB for \(activeUsers) users, "
                + "\(runner.pipeline.itemCount) items: \((residentAfter - residentBefore) / max(1, activeUsers)) "
                + "bytes per active user (all state included)")
        try measureRestore(&runner, settings: settings)
    }

    /// A checkpoint of all the state (every key: the first checkpoint is a snapshot), then a restore from those
    /// changelog records into new tasks — the in-process part of a restore; reading the records from Kafka is on top.
    private func measureRestore(_ runner: inout LocalRunner, settings: PipelineSettings) throws {
        var changelog: [OutputRecord] = []
        let checkpointTime = ContinuousClock().measure { changelog = runner.checkpoint() }
        let bytes = changelog.reduce(0) { $0 + ($1.value?.count ?? 0) + ($1.key?.count ?? 0) }
        var restored = LocalRunner(settings: settings, table: runner.table)
        let restoreTime = try ContinuousClock().measure { try restored.restore(fromChangelog: changelog) }
        let keys = restored.pipeline.userCount + restored.pipeline.itemCount
        print(
            "checkpoint (snapshot)  \(changelog.count) changelog records, \(bytes / 1_048_576) MiB, in "
                + String(format: "%.2f s", checkpointTime.inSeconds))
        print(
            "restore                \(keys) keys in " + String(format: "%.2f s", restoreTime.inSeconds) + " ("
                + String(format: "%.0f", Double(keys) / restoreTime.inSeconds) + " keys/s), in process")
    }

    private func parsedLanes() throws -> [Int] {
        let laneCounts = lanes.split(separator: ",").compactMap { Int($0) }
        guard !laneCounts.isEmpty, laneCounts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--lanes expects positive counts like 1,2")
        }
        return laneCounts
    }

    private func runOnKafka(_ generated: [BehaviorEvent]) throws {
        let laneCounts = try parsedLanes()
        print("events \(events) on \(partitions) partitions of the embedded cluster; each run on a fresh cluster")
        let modes = try guarantees.split(separator: ",").map { (name) throws -> DeliveryGuarantee in
            guard let guarantee = DeliveryGuarantee(rawValue: String(name)) else {
                throw ValidationError("--guarantees expects exactly-once and/or at-least-once, got \(name)")
            }
            return guarantee
        }
        let baseline = try measure(generated, lanes: nil, guarantee: .atLeastOnce)
        print("bare librdkafka consumer (baseline)  \(Int(baseline)) events/s")
        var first: Double?
        for count in laneCounts {
            for guarantee in modes {
                let rate = try measure(generated, lanes: count, guarantee: guarantee)
                first = first ?? rate
                print(
                    "worker, \(count) lane(s), \(guarantee.rawValue)   \(Int(rate)) events/s   ratio to bare consumer "
                        + String(format: "%.3f", rate / baseline) + ", to the first run "
                        + String(format: "%.2f", rate / first!))
            }
        }
    }

    /// Events/s from the first event processed to the last, on a fresh cluster with the events already produced.
    private func measure(_ generated: [BehaviorEvent], lanes: Int?, guarantee: DeliveryGuarantee) throws -> Double {
        let cluster = try EmbeddedCluster()
        var options = try WorkerOptions.embedded(cluster, group: "bench", partitions: partitions)
        let configuration = options.kafka
        do {
            let producer = try KafkaProducer(configuration: configuration)
            let publisher = EventPublisher(producer: producer, topic: options.topics.input)
            for (index, event) in generated.enumerated() {
                try publisher.publish(event)
                if index % 10_000 == 0 { producer.poll() }
            }
            try producer.flush()
        }
        guard let lanes else { return try consumeBare(configuration, topic: options.topics.input) }
        options.lanes = lanes
        options.guarantee = guarantee
        options.maxQueuedPerLane = maxQueuedPerLane
        let worker = try Worker(options: options)
        let stop = StopSignal()
        let job = BackgroundJob(name: "bench-worker") { try worker.run(until: stop) }
        var first: ContinuousClock.Instant?
        var last = ContinuousClock.now
        var consumed = 0
        let deadline = ContinuousClock.now + .seconds(300)
        while consumed < events, job.failure == nil, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.005)
            let statistics = worker.statistics
            let now = statistics.pipeline.eventsProcessed + statistics.pipeline.deadLettered
            if now > 0, first == nil { first = .now }
            if now > consumed { last = .now }
            consumed = now
        }
        stop.stop()
        try job.join()
        let statistics = worker.statistics
        print("  (\(statistics.commits) commits took \(statistics.commitMilliseconds) ms in all)")
        withExtendedLifetime(cluster) {}
        return Double(consumed) / (last - (first ?? last)).inSeconds
    }

    private func consumeBare(_ configuration: KafkaConfiguration, topic: String) throws -> Double {
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe([topic])
        var first: ContinuousClock.Instant?
        var consumed = 0
        var last = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(120)
        while consumed < events, ContinuousClock.now < deadline {
            let batch = consumer.pollBatch(timeoutMilliseconds: 100)
            if !batch.isEmpty {
                if first == nil { first = .now }
                consumed += batch.count
                last = .now
            }
        }
        try consumer.close()
        return Double(consumed) / (last - (first ?? last)).inSeconds
    }

    /// Allocations per event of the hot paths on their own — decode, routing by item, window update (steady
    /// state: a second pass over events whose users and windows already exist) — with scripts/malloc-count loaded.
    private static func hotPathAllocations(_ records: [StreamRecord]) -> String? {
        guard let start = allocationCount() else { return nil }
        var events: [BehaviorEvent] = []
        events.reserveCapacity(records.count)
        for record in records {
            if let event = try? EventCodec.decode(record.value!, format: .json) { events.append(event) }
        }
        let decoded = allocationCount()! - start
        var partitions = 0
        let beforeRouting = allocationCount()!
        for event in events {
            partitions &+= Int(KeyPartitioner.partition(for: event.itemId.utf8, partitionCount: 16))
        }
        let routing = allocationCount()! - beforeRouting
        var windows: [String: UserWindowAggregator.Accumulator] = [:]
        let weights = BehaviorWeights()
        for event in events {
            UserWindowAggregator.add(
                event, category: event.categoryId, weights: weights, to: &windows[event.userId, default: .init()])
        }
        let beforeWindows = allocationCount()!
        for event in events {
            UserWindowAggregator.add(
                event, category: event.categoryId, weights: weights, to: &windows[event.userId, default: .init()])
        }
        let windowUpdates = allocationCount()! - beforeWindows
        let count = Double(events.count)
        // `events` itself is one growing array, counted once above; the rest is per event.
        return "hot-path allocations   decode \(String(format: "%.2f", Double(decoded) / count)), routing "
            + "\(String(format: "%.2f", Double(routing) / count)), window update "
            + "\(String(format: "%.2f", Double(windowUpdates) / count)) per event (checksum \(partitions % 7))"
    }

    /// Heap allocations so far, when the process runs with scripts/malloc-count preloaded; nil otherwise.
    private static func allocationCount() -> Int? {
        typealias Count = @convention(c) () -> Int
        guard let symbol = dlsym(nil, "streamrec_allocation_count") else { return nil }
        return unsafeBitCast(symbol, to: Count.self)()
    }

    private func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
