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
            + "or end to end on the embedded Kafka cluster (bare consumer vs. the worker with 1, 2, ... lanes, "
            + "at-least-once and exactly-once; then event → recommendation latency at fixed offered loads).")

    @Option(help: "Events to process (default: 500000 in process, 2000000 with --kafka).") var events: Int?
    @Option(help: "Users, items and categories of the generated events.") var users = 50_000
    @Option var items = 50_000
    @Option var categories = 100
    @Flag(help: "End to end on the embedded Kafka cluster instead of in process.") var kafka = false
    @Option(help: "Lane counts to measure, comma-separated.") var lanes = "1,2"
    @Option(help: "Input partitions with --kafka (the embedded cluster keeps ~5 MB per partition).")
    var partitions = 64
    @Option(help: "Delivery guarantees to measure with --kafka, comma-separated.")
    var guarantees = "at-least-once,exactly-once"
    @Option(help: "Records queued per lane before its partitions are paused (with --kafka).")
    var maxQueuedPerLane = WorkerOptions(kafka: KafkaConfiguration(bootstrapServers: "")).maxQueuedPerLane
    @Option(help: "Offered loads of the latency runs with --kafka, events/s, comma-separated (empty: none).")
    var latencyRates = "20000,100000"
    @Option(help: "Seconds each latency run is measured, after its warm-up.") var latencySeconds = 20.0
    @Option(help: "Seconds of load before a latency run starts measuring (group joins, empty caches).")
    var warmupSeconds = 5.0
    @Option(help: "Checkpoint interval of the latency runs (exactly-once), milliseconds.")
    var checkpointIntervalMs = 1_000
    @Option(help: "With --kafka: minimum event time between two feeds of one user, as `run` has it (0: one per event).")
    var recommendationIntervalMs: Int64 = 0

    var eventCount: Int { events ?? (kafka ? 2_000_000 : 500_000) }

    func run() throws {
        var generator = SyntheticEventGenerator(
            seed: 3, users: users, items: items, categories: categories, eventsPerSecond: 1_000)
        let generated = (0..<eventCount).map { _ in generator.next() }
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
        let residentBefore = ResidentMemory.bytes()
        let pipelineTime = ContinuousClock().measure {
            for record in records { runner.process(record) { _ in produced += 1 } }
        }
        let allocationsAfterPipeline = Self.allocationCount()
        let residentAfter = ResidentMemory.bytes()
        let decodeRate = Double(decoded) / decodeTime.inSeconds
        let pipelineRate = Double(eventCount) / pipelineTime.inSeconds
        let activeUsers = runner.pipeline.userCount
        print("events                 \(eventCount) (\(users) users, \(items) items, \(categories) categories)")
        print("decode only (baseline) \(Int(decodeRate)) events/s")
        print("full pipeline, no lanes \(Int(pipelineRate)) events/s, \(produced) outputs (incl. shuffle and table)")
        print("ratio pipeline/decode  \(String(format: "%.3f", pipelineRate / decodeRate))")
        if let hotPaths = Self.hotPathAllocations(records) { print(hotPaths) }
        if let before = allocationsBeforeDecode, let middle = allocationsBeforePipeline,
            let after = allocationsAfterPipeline
        {
            let perDecode = Double(middle - before) / Double(eventCount)
            let perEvent = Double(after - middle) / Double(eventCount)
            print(
                "heap allocations       \(String(format: "%.1f", perDecode)) per decode, "
                    + "\(String(format: "%.1f", perEvent)) per event through the whole pipeline "
                    + "(\(String(format: "%.1f", Double(produced) / Double(eventCount))) outputs per event)")
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
            let rate = Double(eventCount) / time.inSeconds
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

    func parsedLanes() throws -> [Int] {
        let laneCounts = lanes.split(separator: ",").compactMap { Int($0) }
        guard !laneCounts.isEmpty, laneCounts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--lanes expects positive counts like 1,2")
        }
        return laneCounts
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

}
