import ArgumentParser
import Evaluation
import Foundation
import Kafka
import Recommender
import StreamEngine
import Topology
import Worker

/// `streamrec bench`: how fast the pipeline runs on this machine, always against a baseline measured in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput against a same-run baseline: offline (decode vs. full pipeline, bytes per user) "
            + "or end to end on the embedded Kafka cluster (bare consumer vs. the worker with 1, 2, ... lanes, "
            + "at-least-once and exactly-once; then event → recommendation latency at fixed offered loads).")

    @Option(help: "Events to process (default: 500000 in process, 2000000 with --kafka).") var events: Int?
    @Option(
        help: ArgumentHelp(
            "Generated events: shop (skewed users, sessions, funnels; 50 000 users, 50 000 items, 100 categories) or "
                + "scale (uniform users, Zipf items, 100 000 users, 50 000 items, 500 categories over 2 h: the "
                + "performance targets' workload, as `streamrec generate` writes it)."))
    var workload: BenchWorkload = .shop
    @Option(help: "Users, items and categories of the generated events (default: the workload's).") var users: Int?
    @Option var items: Int?
    @Option var categories: Int?
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
    var checkpointIntervalMs = WorkerOptions(kafka: KafkaConfiguration(bootstrapServers: ""))
        .checkpointIntervalMilliseconds
    @Option(help: "With --kafka: minimum event time between two feeds of one user, as `run` has it (0: one per event).")
    var recommendationIntervalMs: Int64 = 0

    var eventCount: Int { events ?? (kafka ? 2_000_000 : 500_000) }

    func run() throws {
        let generated = workload.events(count: eventCount, users: users, items: items, categories: categories)
        if kafka { try runOnKafka(generated) } else { try runOffline(generated) }
    }

    /// Decode alone (the baseline), then the pipeline as `replay` runs it — features only and full, on each lane
    /// count — each as events/s, CPU per event, allocations per event (with scripts/malloc-count preloaded) and
    /// its ratio to decode; then the state per user and a checkpoint and restore of all of it.
    private func runOffline(_ generated: [BehaviorEvent]) throws {
        let laneCounts = try parsedLanes()
        // Keyed by user as a producer would send them, so each user lives in one partition.
        var sequencer = InputSequencer(partitions: 4)
        let records = generated.map { sequencer.record(for: $0) }
        let ends = sequencer.ends
        let userCount = Set(generated.map(\.userId)).count
        print(
            "events                 \(eventCount) (\(workload.rawValue): \(userCount) users, "
                + "\(Set(generated.map(\.itemId)).count) items, \(Set(generated.compactMap(\.categoryId)).count) "
                + "categories)")
        var decoded = 0
        let decode = OfflineMeasurement.run(events: eventCount) {
            for record in records where (try? EventCodec.decode(record.value!, format: .auto)) != nil { decoded += 1 }
        }
        print(decode.line("decode only (baseline)", baseline: decode))
        // As the worker runs it: state changes tracked for checkpoints, and room for every generated user.
        var settings = PipelineSettings()
        settings.checkpointing = true
        settings.maxUsersPerPartition = max(settings.maxUsersPerPartition, userCount)
        var full: LocalRunner?
        for emitsLists in [false, true] {
            settings.emitsLists = emitsLists
            let mode = emitsLists ? "full pipeline" : "features only"
            for count in laneCounts {
                let measurement: OfflineMeasurement
                let outputs: Int
                if count == 1 {
                    let runner: LocalRunner
                    (measurement, outputs, runner) = Self.measureLocal(records, ends: ends, settings: settings)
                    if emitsLists { full = runner }
                } else {
                    (measurement, outputs) = Self.measureLanes(records, ends: ends, settings: settings, lanes: count)
                }
                print(
                    measurement.line("\(mode), \(count) lane(s)", baseline: decode)
                        + String(format: ", %.1f outputs/event", Double(outputs) / Double(eventCount)))
            }
        }
        if let hotPaths = Self.hotPathAllocations(records) { print(hotPaths) }
        guard var runner = full else { return }
        let state = runner.checkpoint()
        let userBytes = state.filter { ($0.partition ?? 0) < settings.shufflePartitions }
            .reduce(0) { $0 + ($1.value?.count ?? 0) + ($1.key?.count ?? 0) }
        print(
            "state                  \(runner.pipeline.userCount) users, \(runner.pipeline.itemCount) items; "
                + "\(userBytes / max(1, runner.pipeline.userCount)) bytes per user as checkpointed")
        var restoring = LocalRunner(settings: settings, table: runner.table)
        let restoreTime = try ContinuousClock().measure { try restoring.restore(fromChangelog: state) }
        let keys = restoring.pipeline.userCount + restoring.pipeline.itemCount
        let bytes = state.reduce(0) { $0 + ($1.value?.count ?? 0) + ($1.key?.count ?? 0) }
        print(
            "checkpoint + restore   \(state.count) changelog records, \(bytes / 1_048_576) MiB; \(keys) keys restored in "
                + String(format: "%.2f s", restoreTime.inSeconds) + " ("
                + String(format: "%.0f", Double(keys) / restoreTime.inSeconds) + " keys/s), in process")
    }

    /// One lane, in order (`replay --lanes 1`); the end of input closes every window.
    private static func measureLocal(_ records: [StreamRecord], ends: [StreamRecord], settings: PipelineSettings)
        -> (OfflineMeasurement, outputs: Int, runner: LocalRunner)
    {
        var runner = LocalRunner(settings: settings)
        var outputs = 0
        let measurement = OfflineMeasurement.run(events: records.count) {
            for record in records { runner.process(record) { _ in outputs += 1 } }
            runner.finish(ends) { _ in outputs += 1 }
        }
        return (measurement, outputs, runner)
    }

    /// Several lanes (`replay --lanes N`), fed in batches of 1 000 with the worker's queue bound.
    private static func measureLanes(
        _ records: [StreamRecord], ends: [StreamRecord], settings: PipelineSettings, lanes: Int
    ) -> (OfflineMeasurement, outputs: Int) {
        let outputs = Locked(0)
        let runner = ParallelLocalRunner(settings: settings, lanes: lanes) { _ in outputs.withLock { $0 += 1 } }
        defer { runner.stop() }
        let measurement = OfflineMeasurement.run(events: records.count) {
            for start in stride(from: 0, to: records.count, by: 1_000) {
                while runner.queuedRecords > 20_000 * lanes { runner.waitUntilIdle() }
                runner.submit(Array(records[start..<min(start + 1_000, records.count)]))
            }
            runner.waitUntilIdle()
            runner.finish(ends)
        }
        return (measurement, outputs.value)
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
    static func allocationCount() -> Int? {
        typealias Count = @convention(c) () -> Int
        guard let symbol = dlsym(nil, "streamrec_allocation_count") else { return nil }
        return unsafeBitCast(symbol, to: Count.self)()
    }

}

/// The event generators `bench` can use.
enum BenchWorkload: String, ExpressibleByArgument, CaseIterable {
    case shop, scale

    func events(count: Int, users: Int?, items: Int?, categories: Int?) -> [BehaviorEvent] {
        switch self {
        case .shop:
            var generator = SyntheticEventGenerator(
                seed: 3, users: users ?? 50_000, items: items ?? 50_000, categories: categories ?? 100,
                eventsPerSecond: 1_000)
            return (0..<count).map { _ in generator.next() }
        case .scale:
            var workload = ScaleWorkload(
                events: count, users: users ?? 100_000, items: items ?? 50_000, categories: categories ?? 500)
            var events: [BehaviorEvent] = []
            events.reserveCapacity(count)
            while let event = workload.next() { events.append(event) }
            return events
        }
    }
}

/// One timed run of `bench`: wall time, the process's CPU time and heap allocations (with scripts/malloc-count).
struct OfflineMeasurement {
    var events: Int
    var seconds: Double
    var cpuSeconds: Double
    var allocations: Int?

    static func run(events: Int, _ body: () -> Void) -> OfflineMeasurement {
        let (cpuBefore, allocationsBefore) = (processCPUSeconds(), Bench.allocationCount())
        let time = ContinuousClock().measure(body)
        let allocations = Bench.allocationCount().flatMap { after in allocationsBefore.map { after - $0 } }
        return OfflineMeasurement(
            events: events, seconds: time.inSeconds, cpuSeconds: processCPUSeconds() - cpuBefore,
            allocations: allocations)
    }

    var rate: Double { Double(events) / seconds }

    func line(_ name: String, baseline: OfflineMeasurement) -> String {
        let padded = name.padding(toLength: 30, withPad: " ", startingAt: 0)
        let allocated = allocations.map { String(format: ", %.1f allocations/event", Double($0) / Double(events)) }
        return padded
            + String(
                format: "%9.0f events/s  %7.2f µs CPU/event  ratio to decode %.4f", rate,
                cpuSeconds * 1e6 / Double(events), rate / baseline.rate) + (allocated ?? "")
    }

    /// CPU time of the whole process (every lane's thread), seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
