import ArgumentParser
import Foundation
import Kafka
import Recommender
import StreamEngine
import Worker

/// `streamrec bench --kafka`: (a) the raw consume rate of the input by a bare librdkafka consumer, the physical
/// ceiling here; (b) the worker's rate with each lane count and guarantee, as a ratio to (a); (c) event →
/// recommendation latency at fixed offered loads. Every run gets a fresh embedded cluster.
extension Bench {
    func runOnKafka(_ generated: [BehaviorEvent]) throws {
        let laneCounts = try parsedLanes()
        let modes = try guarantees.split(separator: ",").map { (name) throws -> DeliveryGuarantee in
            guard let guarantee = DeliveryGuarantee(rawValue: String(name)) else {
                throw ValidationError("--guarantees expects exactly-once and/or at-least-once, got \(name)")
            }
            return guarantee
        }
        let rates = try parsedRates()
        say(
            "events \(eventCount) on \(partitions) partitions of the embedded cluster; each run on a fresh cluster; "
                + "a feed per user at most every \(recommendationIntervalMs) ms of event time")
        let baseline = try measure(generated, lanes: nil, guarantee: .atLeastOnce)
        if baseline.events < eventCount {
            say(
                "  the broker kept \(baseline.events) of \(eventCount) events (~5 MB per partition): every run reads "
                    + "those; more --partitions keep more")
        }
        say("(a) raw consume rate, bare librdkafka consumer  \(Int(baseline.rate)) events/s")
        var summary: [String] = []
        for count in laneCounts {
            var rates: [DeliveryGuarantee: Double] = [:]
            for guarantee in modes {
                let rate = try measure(generated, lanes: count, guarantee: guarantee, target: baseline.events).rate
                rates[guarantee] = rate
                let line =
                    "(b) worker, \(count) lane(s), \(guarantee.rawValue)  \(Int(rate)) events/s  ratio (b)/(a) "
                    + String(format: "%.3f", rate / baseline.rate)
                say(line)
                summary.append(line)
            }
            if let exactlyOnce = rates[.exactlyOnce], let atLeastOnce = rates[.atLeastOnce] {
                let line =
                    "    \(count) lane(s): exactly-once / at-least-once "
                    + String(format: "%.3f", exactlyOnce / atLeastOnce)
                say(line)
                summary.append(line)
            }
        }
        for rate in rates {
            let lines = try measureLatency(offering: rate, lanes: laneCounts.max()!)
            lines.forEach { say($0) }
            summary += lines
        }
        say("\nsummary (2 cores shared by producer, broker, worker and reader; ratios are what is stable)")
        say("(a) raw consume rate  \(Int(baseline.rate)) events/s")
        summary.forEach { say($0) }
    }

    private func parsedRates() throws -> [Double] {
        let rates = latencyRates.split(separator: ",").compactMap { Double($0) }
        guard rates.allSatisfy({ $0 > 0 }), rates.count == latencyRates.split(separator: ",").count else {
            throw ValidationError("--latency-rates expects events/s like 20000,100000, got \(latencyRates)")
        }
        return rates
    }

    private func measureLatency(offering rate: Double, lanes: Int) throws -> [String] {
        let benchmark = LatencyBenchmark(
            rate: rate, seconds: latencySeconds, warmupSeconds: warmupSeconds, partitions: partitions, lanes: lanes,
            checkpointIntervalMilliseconds: checkpointIntervalMs, recommendationInterval: recommendationIntervalMs,
            workload: workload, users: users, items: items, categories: categories)
        let result = try benchmark.run()
        let sustained = result.sustained(checkpointInterval: Double(checkpointIntervalMs) / 1_000)
        return [
            "(c) latency at \(Int(rate)) events/s offered, exactly-once, \(lanes) lane(s), checkpoint every "
                + "\(checkpointIntervalMs) ms: offered \(Int(result.offered)), processed \(Int(result.processed)) "
                + "events/s, backlog \(result.backlog) at the end, \(result.commits) commits "
                + "(\(Int(result.commitMilliseconds.rounded())) ms each on the poll thread) — "
                + (sustained ? "sustained" : "NOT sustained (latency below is not a steady state)"),
            "    visible to read_committed  \(result.histograms.visible.summary)",
            "    fetched (produced)         \(result.histograms.fetched.summary)",
            "    sent to the producer       \(result.histograms.sent.summary)",
        ]
    }

    /// Events/s from the first event processed to the last, on a fresh cluster with the events already produced;
    /// `lanes` nil measures the bare consumer. Reads until `target` events (default: all the broker kept) or until
    /// nothing moves for 10 s.
    private func measure(
        _ generated: [BehaviorEvent], lanes: Int?, guarantee: DeliveryGuarantee, target: Int? = nil
    ) throws -> (rate: Double, events: Int) {
        let cluster = try EmbeddedCluster()
        defer { withExtendedLifetime(cluster) {} }
        var options = try WorkerOptions.embedded(cluster, group: "bench", partitions: partitions)
        let configuration = options.kafka
        let kept = try produce(generated, options: options)
        guard let lanes else { return try consumeBare(configuration, topic: options.topics.input, target: kept) }
        options.lanes = lanes
        options.guarantee = guarantee
        options.maxQueuedPerLane = maxQueuedPerLane
        options.pipeline.recommendationInterval = recommendationIntervalMs
        let worker = try Worker(options: options)
        let stop = StopSignal()
        let job = BackgroundJob(name: "bench-worker") { try worker.run(until: stop) }
        let progress = Progress(target: target ?? kept)
        while !progress.done, job.failure == nil {
            Thread.sleep(forTimeInterval: 0.005)
            let counters = worker.statistics.pipeline
            progress.update(counters.eventsProcessed + counters.deadLettered + counters.late)
        }
        stop.stop()
        try job.join()
        let statistics = worker.statistics
        say("  (\(statistics.commits) commits took \(statistics.commitMilliseconds) ms in all)")
        return (progress.rate, progress.count)
    }

    /// Sends the events to the input; returns how many the broker kept (it drops the oldest past ~5 MB a partition).
    private func produce(_ generated: [BehaviorEvent], options: WorkerOptions) throws -> Int {
        let producer = try KafkaProducer(configuration: options.kafka)
        let publisher = EventPublisher(producer: producer, topic: options.topics.input)
        for (index, event) in generated.enumerated() {
            try publisher.publish(event)
            if index % 10_000 == 0 { producer.poll() }
        }
        try producer.flush()
        var reader = options.kafka
        reader.groupID = "bench-offsets"
        let offsets = try KafkaPartitionReader(configuration: reader)
        return try (0..<Int32(options.topics.inputPartitions)).reduce(0) { kept, partition in
            kept
                + (try offsets.offsetRange(of: TopicPartition(topic: options.topics.input, partition: partition))).count
        }
    }

    private func consumeBare(_ configuration: KafkaConfiguration, topic: String, target: Int) throws -> (
        rate: Double, events: Int
    ) {
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.subscribe([topic])
        let progress = Progress(target: target)
        while !progress.done { progress.update(progress.count + consumer.pollBatch(timeoutMilliseconds: 100).count) }
        try consumer.close()
        return (progress.rate, progress.count)
    }
}

/// Counts events read towards a target: the rate from the first to the last, done at the target or after 10 s
/// without progress (or 120 s without any event).
private final class Progress {
    let target: Int
    private(set) var count = 0
    private var first: ContinuousClock.Instant?
    private var last = ContinuousClock.now
    private let started = ContinuousClock.now

    init(target: Int) { self.target = target }

    func update(_ count: Int) {
        if count > self.count {
            if first == nil { first = .now }
            last = .now
            self.count = count
        }
    }

    var done: Bool {
        count >= target || ContinuousClock.now - (first == nil ? started : last) > .seconds(first == nil ? 120 : 10)
    }

    var rate: Double { Double(count) / (last - (first ?? last)).inSeconds }
}

/// Prints a line at once, unbuffered: a Kafka bench runs for minutes, and its output is often piped.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
